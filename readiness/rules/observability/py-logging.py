import json
import logging
import logging.config
import os
import sys

import structlog
import uvicorn
from fastapi import FastAPI
from loguru import logger as loguru_logger
from pythonjsonlogger import jsonlogger

app = FastAPI()
log = structlog.get_logger()
logger = logging.getLogger(__name__)

# ruleid: py-logging-config
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        # ruleid: py-structured-logger
        structlog.processors.JSONRenderer(),
    ]
)
# ok: py-structured-logger
structlog.dev.ConsoleRenderer()
# ruleid: py-structured-logger
handler_formatter = jsonlogger.JsonFormatter("%(asctime)s %(levelname)s %(message)s")
# ruleid: py-structured-logger
loguru_logger.add(sys.stdout, serialize=True)
# ok: py-structured-logger
loguru_logger.add(sys.stderr)

# ruleid: py-logging-config
logging.config.dictConfig({
    "version": 1,
    # ruleid: py-structured-logger
    "formatters": {"json": {"()": "pythonjsonlogger.jsonlogger.JsonFormatter"}},
    "root": {"level": "INFO"},
})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # ruleid: py-structured-logger
        return json.dumps({"msg": record.getMessage(), "level": record.levelname})


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # ok: py-structured-logger
        return "%s %s" % (record.levelname, record.getMessage())


@app.get("/items")
async def items() -> list[str]:
    # ruleid: py-print-in-handler
    print("listing items")
    # ruleid: py-log-level-call
    log.info("items_listed", count=0)
    return []


@app.middleware("http")
async def middleware(request, call_next):
    # ruleid: py-print-in-handler
    print(request.url)
    return await call_next(request)


def helper() -> None:
    # ok: py-print-in-handler
    print("not in a handler")
    # ruleid: py-log-level-call
    logger.warning("careful")
    # ruleid: py-log-level-call
    logging.error("root logger")
    # ruleid: py-log-level-call
    self.log.exception("failed")
    # ok: py-log-level-call
    parser.error("usage")
    # ok: py-log-level-call
    requests.get("http://example.com")


def configure(debug: bool) -> None:
    # ruleid: py-logging-config, py-debug-by-default
    logging.basicConfig(level=logging.DEBUG)
    # ruleid: py-debug-by-default
    level = os.getenv("LOG_LEVEL", "DEBUG")
    # ok: py-debug-by-default
    level = os.environ.get("LOG_LEVEL", "INFO")
    if debug:
        # ok: py-debug-by-default
        logging.getLogger().setLevel(logging.DEBUG)
    # ruleid: py-debug-by-default
    uvicorn.run(app, log_level="debug")
    # ruleid: py-logging-config, py-debug-by-default
    logging.config.dictConfig({"version": 1, "root": {"level": "DEBUG", "handlers": []}})
    # ok: py-logging-config, py-debug-by-default
    logging.getLogger("noisy.library").setLevel(logging.WARNING)
