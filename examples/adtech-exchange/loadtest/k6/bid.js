import http from 'k6/http';
import { check } from 'k6';
import crypto from 'k6/crypto';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';

export const options = {
  scenarios: {
    auction: {
      executor: 'constant-arrival-rate',
      rate: 3000,
      timeUnit: '1s',
      duration: '10m',
      preAllocatedVUs: 200,
      maxVUs: 600,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<150'],
  },
};

function randomIntBetween(min, max) {
  return Math.floor(Math.random() * (max - min + 1)) + min;
}

function uuidv4() {
  const h = crypto.hexEncode(crypto.randomBytes(16));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function bidRequest() {
  return {
    id: uuidv4(),
    tmax: 120,
    at: 1,
    cur: ['USD'],
    imp: [{ id: '1', tagid: 'homepage-top', bidfloor: 0.25, bidfloorcur: 'USD', banner: { w: 300, h: 250 } }],
    site: { id: 'site-1', domain: 'news.example', publisher: { id: `pub-${randomIntBetween(1, 50)}` } },
    device: {
      ua: 'Mozilla/5.0 (Linux; Android 14) Mobile',
      ip: `198.51.100.${randomIntBetween(1, 254)}`,
      ifa: uuidv4(),
      geo: { country: 'DEU' },
    },
    user: { id: `u-${randomIntBetween(1, 100000)}`, ext: { consent: 'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA' } },
    regs: { ext: { gdpr: 1 } },
  };
}

export default function () {
  const res = http.post(`${BASE_URL}/openrtb2/auction`, JSON.stringify(bidRequest()), {
    headers: { 'Content-Type': 'application/json', 'x-openrtb-version': '2.5' },
  });
  check(res, { 'status is 200 or 204': (r) => r.status === 200 || r.status === 204 });
}
