const express = require("express");
const { Pool } = require("pg");
const axios = require("axios");

const pool = new Pool();
const app = express();
const router = express.Router();

// ruleid: js-http-route
app.get("/livez", (req, res) => res.send("ok"));

// ruleid: js-http-route
app.get("/readyz", async (req, res) => {
  // ruleid: js-dependency-call
  await pool.query("SELECT 1");
  res.send("ok");
});

// ruleid: js-http-route
router.get("/healthz", health);

// ok: js-http-route
app.post("/bid", (req, res) => res.json({}));

async function health(req, res) {
  // ruleid: js-dependency-call
  await axios.get("http://floors:8000/readyz");
  res.send("ok");
}

// ok: js-dependency-call
res.json({ status: "ok" });

// ruleid: js-listen
app.listen(8080);
