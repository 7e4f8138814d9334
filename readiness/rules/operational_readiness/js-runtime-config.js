const fs = require('fs');
const chokidar = require('chokidar');

function watch(path, reload) {
  // ruleid: js-config-watch
  fs.watch(path, () => reload());
  // ruleid: js-config-watch
  chokidar.watch(path).on('change', reload);
  // ruleid: js-config-watch
  process.on('SIGHUP', reload);
  // ok: js-config-watch
  process.on('SIGTERM', () => process.exit(0));
}

function config() {
  return {
    // ruleid: js-env-read
    idrUrl: process.env.IDR_URL,
    // ruleid: js-env-read
    level: process.env['LOG_LEVEL'],
  };
}

async function idrEnabled(client, context) {
  // ruleid: js-flag-evaluation
  return client.getBooleanValue('idr_enabled', true, context);
}

function notAFlag(map, key) {
  // ok: js-flag-evaluation
  return map.get('idr_enabled');
}

module.exports = { watch, config, idrEnabled, notAFlag };
