const express = require('express');
// ruleid: js-structured-logger, js-request-id-log-field
const pinoHttp = require('pino-http');
const winston = require('winston');
const client = require('prom-client');

// ruleid: js-serves-requests
const app = express();
// ruleid: js-structured-logger
const logger = winston.createLogger({ format: winston.format.json() });
// ok: js-structured-logger
const plain = winston.createLogger({ format: winston.format.simple() });

// ruleid: js-request-id-source
app.use(pinoHttp({ genReqId: (req) => req.headers['x-request-id'] || crypto.randomUUID() }));

app.get('/bid', (req, res) => {
  // ruleid: js-request-id-source
  const id = req.get('X-Request-ID');
  // ruleid: js-request-id-log-field
  const log = logger.child({ requestId: id });
  // ruleid: js-console-in-handler
  console.log('bid', req.path);
  // ok: js-console-in-handler
  log.info('bid');
  res.send('ok');
});

// ok: js-console-in-handler
console.log('listening');

// ruleid: js-metric-definition
const latency = new client.Histogram({ name: 'api_request_duration_seconds', help: 'Latency', labelNames: ['route'] });
// ruleid: js-metric-definition
const requests = new client.Counter({ name: 'api_requests_total', help: 'Requests', labelNames: ['route', 'code'] });
// ok: js-metric-definition
const registry = new client.Registry();
