"""The gunicorn master's warm-up: what a forked worker would otherwise do on its first requests."""

from __future__ import annotations

import gc
import importlib
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import clear_url_caches, get_resolver

from cityhall.core import warmup


@pytest.fixture
def unfrozen() -> object:
    yield
    gc.unfreeze()


def _cached_template_names() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]
    return {key.split("-")[0] for key in getattr(loader, "get_template_cache", {})}


def test_warm_up_compiles_templates_imports_urls_and_freezes_without_touching_the_database(
    unfrozen: object,
) -> None:
    # No django_db mark: pytest-django refuses any query, as a connection made in the master would be
    # shared by every forked worker.
    clear_url_caches()
    engines["django"].engine.template_loaders[0].reset()
    assert not _cached_template_names()
    warmup.warm_up()
    assert get_resolver()._populated
    assert {
        "web/base.html",
        "decisions/index.html",
        "servicerequests/detail.html",
    } <= _cached_template_names()
    assert gc.get_freeze_count() > 0


@pytest.mark.parametrize(("preload", "calls"), [(True, 1), (False, 0)])
def test_gunicorn_warms_up_only_a_preloaded_master(
    monkeypatch: pytest.MonkeyPatch, preload: bool, calls: int
) -> None:
    conf = importlib.import_module("config.gunicorn_conf")
    seen: list[bool] = []
    monkeypatch.setattr(warmup, "warm_up", lambda: seen.append(True))
    conf.when_ready(SimpleNamespace(cfg=SimpleNamespace(preload_app=preload)))
    assert len(seen) == calls
