"""Shared fixtures. The suite runs on whatever DATABASE_URL / TASKS_BACKEND say (SQLite and the
database task queue by default; CI runs it again on PostgreSQL with RQ on Redis)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.accounts.services import api_token_create, role_assign
from cityhall.core.taskqueue import run_worker
from tests.factories import DepartmentFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTSECRET234567"


def service_reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), 2):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, default_port: int) -> None:
    """Skip a test that needs an absent service locally; in CI (CI=true) an absent service fails."""
    if service_reachable(url, default_port):
        return
    message = f"{name} is not reachable at {url}"
    if IN_CI:
        pytest.fail(f"{message}, and CI=true requires it.")
    pytest.skip(message)


def pytest_sessionstart(session: pytest.Session) -> None:
    """With CI=true, a configured service that is down stops the run instead of skipping tests."""
    if not IN_CI:
        return
    checks = []
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        checks.append(("PostgreSQL", os.environ["DATABASE_URL"], 5432))
    for variable in ("REDIS_URL", "CACHE_URL"):
        if os.environ.get(variable):
            checks.append(("Redis", os.environ[variable], 6379))
    for name, url, port in checks:
        if not service_reachable(url, port):
            pytest.exit(f"{name} is not reachable at {url} and CI=true requires it.", returncode=3)


@pytest.fixture(autouse=True)
def _isolated_state() -> None:
    """Rate-limit counters and cached values never leak from one test into the next."""
    cache.clear()
    if settings.TASKS_BACKEND == "rq":
        import django_rq

        for name in settings.RQ_QUEUES:
            django_rq.get_queue(name).empty()


@pytest.fixture
def run_tasks() -> Callable[[], None]:
    """Run every waiting task through the configured backend's real worker, then return."""

    def _run() -> None:
        if settings.TASKS_BACKEND != "database":
            run_worker(burst=True)
            return
        # The database worker calls close_old_connections() on every loop, as a real worker should. Inside
        # a test's transaction autocommit is off, so Django would really close a PostgreSQL connection
        # (SQLite's in-memory test database ignores close). Django's test client skips the same call for
        # requests; so does this.
        from unittest import mock

        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            run_worker(burst=True)

    return _run


@pytest.fixture
def department(db: Any) -> Department:
    return DepartmentFactory()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def _make(
        role: Role | None = None,
        department: Department | None = None,
        *,
        mfa: bool = True,
        **fields: Any,
    ) -> User:
        user: User = UserFactory(**fields)
        if role is not None and role != Role.RESIDENT:
            role_assign(actor=None, user=user, role=role, department=department)
            if mfa:
                TOTP.activate(user, TOTP_SECRET)
        return user

    return _make


def totp_code(secret: str = TOTP_SECRET) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return f"{hotp_value(secret, counter):06d}"


@pytest.fixture
def signed_in_client(db: Any) -> Callable[[User], Client]:
    """A test client signed in as the user, with the second factor satisfied for staff."""

    def _client(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _client


@pytest.fixture
def api_client() -> Callable[[User], Client]:
    """A test client that sends a fresh API token of the user on every request."""

    def _client(user: User) -> Client:
        _token, secret = api_token_create(actor=None, user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return _client


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
