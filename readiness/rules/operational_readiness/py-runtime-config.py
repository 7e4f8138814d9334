import os
import signal
import time

import ldclient
from watchdog.observers import Observer


def install(reload):
    # ruleid: py-config-watch
    signal.signal(signal.SIGHUP, lambda *_: reload())
    # ok: py-config-watch
    signal.signal(signal.SIGTERM, lambda *_: None)
    # ruleid: py-config-watch
    observer = Observer()
    observer.start()


def poll(store, every):
    while True:
        # ruleid: py-periodic-reload
        store.reload()
        # ok: py-periodic-reload
        store.report()
        time.sleep(every)


def settings():
    return {
        # ruleid: py-env-read
        "idr_url": os.getenv("IDR_URL", ""),
        # ruleid: py-env-read
        "level": os.environ.get("LOG_LEVEL", "INFO"),
        # ruleid: py-env-read
        "db": os.environ["DATABASE_URL"],
    }


def idr_enabled(context):
    client = ldclient.get()
    # ruleid: py-flag-evaluation
    return client.variation("idr-enabled", context, True)


def other(features, name):
    # ok: py-flag-evaluation
    return features.is_enabled(name)
