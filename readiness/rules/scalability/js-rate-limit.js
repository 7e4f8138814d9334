// ruleid: js-rate-limit-per-client
const rateLimit = require('express-rate-limit');
// ok: js-rate-limit-per-client
const express = require('express');
