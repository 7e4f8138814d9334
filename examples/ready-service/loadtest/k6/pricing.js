// Peak and soak test for POST /v1/price.
//   k6 run -e BASE_URL=https://pricing.staging.adtech.example loadtest/k6/pricing.js
// The peak scenario holds 2.4x the expected peak (1000 rps, see .readiness.yml);
// the soak scenario then holds the expected peak for 24 hours to surface leaks.
import http from 'k6/http';
import crypto from 'k6/crypto';
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';

export const options = {
  scenarios: {
    peak: {
      executor: 'constant-arrival-rate',
      rate: 2400,
      timeUnit: '1s',
      duration: '30m',
      preAllocatedVUs: 300,
      maxVUs: 1200,
      tags: { phase: 'peak' },
    },
    soak: {
      executor: 'constant-arrival-rate',
      rate: 1000,
      timeUnit: '1s',
      duration: '24h',
      startTime: '35m',
      preAllocatedVUs: 150,
      maxVUs: 600,
      tags: { phase: 'soak' },
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    http_req_duration: ['p(99)<80'],
    'http_req_duration{phase:peak}': ['p(99)<80', 'p(95)<40'],
    'http_req_duration{phase:soak}': ['p(99)<80'],
    checks: ['rate>0.999'],
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
};

const COUNTRIES = ['DEU', 'FRA', 'GBR', 'ESP', 'ITA', 'NLD', 'USA'];

function pick(items) {
  return items[Math.floor(Math.random() * items.length)];
}

function requestId() {
  return crypto.hexEncode(crypto.randomBytes(16));
}

function bidRequest() {
  const imps = 1 + Math.floor(Math.random() * 3);
  return {
    id: requestId(),
    tmax: 120,
    cur: ['USD'],
    imp: Array.from({ length: imps }, (_, i) => ({
      id: String(i + 1),
      tagid: `slot-${i + 1}`,
      bidfloor: Math.round(Math.random() * 100) / 100,
      bidfloorcur: 'USD',
      banner: { w: 300, h: 250 },
    })),
    site: { domain: 'news.example', publisher: { id: `pub-${1 + Math.floor(Math.random() * 400)}` } },
    device: { ip: '198.51.100.23', geo: { country: pick(COUNTRIES) } },
  };
}

export default function () {
  const res = http.post(`${BASE_URL}/v1/price`, JSON.stringify(bidRequest()), {
    headers: { 'Content-Type': 'application/json', 'X-Request-ID': requestId() },
    timeout: '1s',
  });
  check(res, {
    'status is 200': (r) => r.status === 200,
    'has a floor per imp': (r) => r.status === 200 && r.json('imp').length > 0,
  });
}
