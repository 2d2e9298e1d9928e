"""DataStore settings, read when they are used (so a changed setting applies to the next call)."""

from __future__ import annotations

from django.conf import settings


def max_file_bytes() -> int:
    """Files larger than this are not loaded (XLoader's default: 1 000 000 000 bytes)."""
    return int(getattr(settings, "DATASTORE_MAX_BYTES", 1_000_000_000))


def infer_rows() -> int:
    """Rows read to guess column types."""
    return int(getattr(settings, "DATASTORE_INFER_ROWS", 10_000))


def validate_rows() -> int:
    """Rows frictionless checks before loading (0: the whole file). The database checks every row."""
    return int(getattr(settings, "DATASTORE_VALIDATE_ROWS", 10_000))


def sql_timeout_ms() -> int:
    return int(getattr(settings, "DATASTORE_SQL_TIMEOUT_MS", 5_000))


def rows_max() -> int:
    """Most rows one datastore_search or datastore_search_sql answer holds (CKAN's default)."""
    return int(getattr(settings, "DATASTORE_ROWS_MAX", 32_000))


def download_rows_max() -> int:
    return int(getattr(settings, "DATASTORE_DOWNLOAD_ROWS_MAX", 5_000_000))
