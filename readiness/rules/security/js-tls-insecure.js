const https = require("https");

// ruleid: js-tls-verify-disabled
const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
// ok: js-tls-verify-disabled
const strict = new https.Agent({ rejectUnauthorized: true });
// ruleid: js-tls-verify-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

module.exports = { agent, strict };
