from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, RoleAssignment, User
from cityhall.core.models import City, District
from config.email import email_settings
from config.env import ConfigurationError

ROOT = Path(__file__).resolve().parent.parent
DEMO_EMAILS = {
    "resident@demo.example": None,
    "staff@demo.example": Role.DEPARTMENT_STAFF,
    "moderator@demo.example": Role.MODERATOR,
    "publisher@demo.example": Role.DATA_PUBLISHER,
    "emergency@demo.example": Role.EMERGENCY_MANAGER,
    "emergency2@demo.example": Role.EMERGENCY_MANAGER,
    "clerk@demo.example": Role.COUNCIL_CLERK,
    "admin@demo.example": Role.ADMINISTRATOR,
}


def counts() -> tuple[int, ...]:
    return (
        City.objects.count(),
        District.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_city_loads_twice_without_duplicates(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    first = counts()
    call_command("demo")
    assert counts() == first
    assert first[:2] == (1, 6)
    out = capsys.readouterr().out
    for email in DEMO_EMAILS:
        assert email in out
    assert "Password for every demo account" in out


@pytest.mark.django_db
def test_the_demo_has_one_account_per_role() -> None:
    call_command("demo")
    for email, role in DEMO_EMAILS.items():
        user = User.objects.get(email=email)
        roles = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        assert roles == ({role} if role else set())


@pytest.mark.django_db
def test_demo_districts_have_valid_boundaries_that_cover_their_centres() -> None:
    from shapely.geometry import shape

    from cityhall.core.geo import contains

    call_command("demo")
    for district in District.objects.all():
        centre = shape(district.boundary).centroid
        assert contains(district.boundary, latitude=centre.y, longitude=centre.x)
        assert district.min_latitude < centre.y < district.max_latitude


def run_cityhall(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "-m", "cityhall.cli", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "HTTPS": "true",
        "ALLOWED_HOSTS": "city.example",
        "CITYHALL_BASE_URL": "https://city.example",
        "CITYHALL_VAR_DIR": str(tmp_path),
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    completed = run_cityhall("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues" in completed.stdout


def test_the_default_database_is_a_durable_sqlite_file_in_wal_mode(tmp_path: Path) -> None:
    env = {"CITYHALL_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA synchronous').fetchone()[0])"
    )
    completed = run_cityhall("shell", "-c", code, env=env)
    assert completed.stdout.strip().splitlines()[-1].split() == ["wal", "2"], completed.stderr
    assert (tmp_path / "cityhall.sqlite3").exists()
    assert (tmp_path / "secret_key").exists()


def test_a_bad_environment_value_stops_startup_with_a_clear_message(tmp_path: Path) -> None:
    completed = run_cityhall("check", env={"CITYHALL_VAR_DIR": str(tmp_path), "TASKS_BACKEND": "celery"})
    assert completed.returncode != 0
    assert "TASKS_BACKEND must be one of database, rq, immediate, not 'celery'" in completed.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp+tls://user:p%40ss@mail.example:2525",
            {
                "EMAIL_HOST": "mail.example",
                "EMAIL_PORT": 2525,
                "EMAIL_HOST_PASSWORD": "p@ss",
                "EMAIL_USE_TLS": True,
            },
        ),
        ("console:", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("", {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}),
    ],
)
def test_email_url_forms(url: str, expected: dict[str, object], tmp_path: Path) -> None:
    settings = email_settings(url, tmp_path)
    assert {key: settings[key] for key in expected} == expected


def test_an_unknown_email_scheme_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="scheme 'pop3' is not known"):
        email_settings("pop3://x", tmp_path)
