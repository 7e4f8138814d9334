const express = require('express');
const http = require('http');

// ruleid: js-network-server
const app = express();
// ok: js-network-server
const router = express.Router();
// ruleid: js-network-server
http.createServer(app).listen(8080);
