"""Typed readers for environment variables: the only way settings get configuration."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigurationError(RuntimeError):
    """An environment variable holds a value the platform cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}.") from error


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def persistent_secret(var_dir: Path, file_name: str, generate: Callable[[], str]) -> str:
    """A secret generated once and kept in var/ (mode 0600), so restarts keep using it."""
    key_file = var_dir / file_name
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = generate()
    key_file.write_text(value)
    key_file.chmod(0o600)
    return value


def persistent_secret_key(var_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once: a fresh machine needs no setup."""
    return env_str("SECRET_KEY") or persistent_secret(
        var_dir, "secret_key", lambda: secrets.token_urlsafe(64)
    )


def _new_rsa_private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def persistent_oidc_private_key(var_dir: Path) -> str:
    """The OpenID Connect signing key (PEM): OIDC_PRIVATE_KEY, else generated once into var/."""
    from_env = os.environ.get("OIDC_PRIVATE_KEY", "").strip().replace("\\n", "\n")
    return from_env or persistent_secret(var_dir, "oidc_private_key.pem", _new_rsa_private_key_pem)
