const express = require('express');
const session = require('express-session');
const RedisStore = require('connect-redis').default;

const app = express();
// ruleid: js-memory-session-store
app.use(session({ secret: process.env.SESSION_SECRET, resave: false }));
// ok: js-memory-session-store
app.use(session({ store: new RedisStore({ client: redisClient }), secret: process.env.SESSION_SECRET }));
