const express = require("express");
const rateLimit = require("express-rate-limit");

const app = express();
const loginLimiter = rateLimit({ windowMs: 60000, max: 5 });

// ruleid: js-route
app.get("/healthz", (req, res) => res.send("ok"));
// ruleid: js-route, js-route-rate-limit
app.post("/login", loginLimiter, login);
// ruleid: js-route, js-route-auth
app.get("/orders", requireAuth, listOrders);
// ok: js-route
app.get("env");

const admin = express.Router();
admin.use(passport.authenticate("jwt", { session: false }));
// ruleid: js-route, js-route-auth
admin.post("/reload", reload);

module.exports = { app, admin };
