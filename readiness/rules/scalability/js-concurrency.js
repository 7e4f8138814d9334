// ruleid: js-concurrency-limit
const toobusy = require('toobusy-js');
// ok: js-concurrency-limit
const express = require('express');
