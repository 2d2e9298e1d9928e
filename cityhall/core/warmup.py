"""Do once, before gunicorn forks its workers, the work Django otherwise does on a worker's first request.

`cityhall up` runs gunicorn with `--preload`, so the master imports the application and every worker
is a fork of it. Django still leaves some work for the first request: importing the URL configuration
(every app's views and API modules), compiling the URL patterns, loading the translation catalogs and
compiling templates. A worker recycled by `--max-requests` would do it again while the requests queued
on it wait (2.7 s for the first request, 0.3 s for the first page, measured). Done here, the forks
share the result.

Nothing here opens a database connection: a connection made in the master would be shared by every
fork.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def warm_up() -> None:
    started = time.perf_counter()
    _urls()
    _resolve_once()
    _translations()
    templates = _templates()
    gc.collect()
    gc.freeze()  # what the master built is permanent: the workers' collections skip it (and it stays shared)
    logger.info(
        "warmed up",
        extra={"templates": templates, "duration_ms": round((time.perf_counter() - started) * 1000, 1)},
    )


def _urls() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 — imports every view and API module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 — compiles every pattern, per language


def _resolve_once() -> None:
    """Compiles the patterns' regular expressions on the way to the home page."""
    get_resolver().resolve("/")


def _translations() -> None:
    for code, _name in settings.LANGUAGES:
        translation.activate(code)  # loads the language's catalogs of every app, once per process
    translation.deactivate()


def _templates() -> int:
    """Compile every template of the apps into each engine's cached loader."""
    count = 0
    for engine in engines.all():
        backend = getattr(engine, "engine", None)
        if backend is None:
            continue
        for directory in _template_directories(backend):
            for path in sorted(directory.rglob("*.html")) + sorted(directory.rglob("*.txt")):
                name = path.relative_to(directory).as_posix()
                try:
                    backend.get_template(name)
                except (TemplateDoesNotExist, TemplateSyntaxError):
                    continue  # a partial meant to be included elsewhere, or shadowed; not ours to judge
                count += 1
    return count


def _template_directories(backend: object) -> list[Path]:
    """Cityhall's own template directories (the pages residents and staff use most)."""
    ours = Path(__file__).resolve().parent.parent
    directories: list[Path] = []
    for loader in getattr(backend, "template_loaders", []):
        for inner in getattr(loader, "loaders", [loader]):
            get_dirs = getattr(inner, "get_dirs", None)
            if get_dirs is not None:
                directories.extend(
                    Path(d) for d in get_dirs() if Path(d).is_dir() and Path(d).resolve().is_relative_to(ours)
                )
    return directories
