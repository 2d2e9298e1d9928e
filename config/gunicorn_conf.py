"""gunicorn settings used by `cityhall up`: its own logs as JSON lines too."""

import os
from typing import Any

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cityhall.core.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


def when_ready(server: Any) -> None:
    """With --preload the master holds the application: warm it up once, before the workers are forked,
    so that neither the first workers nor those recycled by --max-requests stall their first requests."""
    if server.cfg.preload_app:
        from cityhall.core.warmup import warm_up

        warm_up()
