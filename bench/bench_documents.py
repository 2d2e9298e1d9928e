"""documents: signature verification throughput (documents/s).

Two levels, on a fresh database filled with signed documents (BENCH_DOCUMENTS, default 200, each
signed with a department seal; one also by an official):
- library: in one process, (a) the bare Ed25519 check of a signed statement with `cryptography`,
  (b) `verification.verify_sha256` (registry lookup, every signature and the key's validity then),
  (c) `verification.verify_content` on the file itself (SHA-256 of the bytes, then as b);
- API through a real server (`cityhall up`): `GET /api/v1/documents/verify/<sha256>` and the public
  page `GET /documents/verify/?sha256=...`, against the bare `GET /ping`, round after round.
No budget is set in ARCHITECTURE.md for verification; the API-to-bare ratio is reported against the
general API budget (>= 0.5).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.harness import (
    POSTGRESQL,
    REPO_DIR,
    BenchmarkError,
    DatabaseUnavailableError,
    ServerConfig,
    database,
    get_json,
    postgres_server_version,
    running_server,
    server_environment,
    workspace,
)
from bench.load import LoadSettings, measure_interleaved

NAME = "documents"
DESCRIPTION = "signature verification: documents/s in the library and through the public verification API"
DOCUMENTS = int(os.environ.get("BENCH_DOCUMENTS", "200"))
LIBRARY_SECONDS = float(os.environ.get("BENCH_DOCUMENTS_LIBRARY_SECONDS", "5"))
BUDGET_API_TO_BARE = 0.5
SERVER = ServerConfig(database_url="")

SEED = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from cityhall.accounts.models import Department
from cityhall.documents import services
from cityhall.documents.demo import _pdf
count = int(os.environ["BENCH_DOCUMENTS"])
department = Department.objects.create(slug="bench-clerk", name="Bench Clerk's Office")
hashes = []
for number in range(count):
    content = _pdf(f"Bench document {number}", [f"Line {line} of document {number}" for line in range(40)])
    document = services.document_register(
        actor=None, department_id=department.pk, title=f"Bench document {number}", file_name=f"b{number}.pdf",
        content=content, media_type="application/pdf", classification="public", retention_years=None)
    services.document_sign(actor=None, document_id=document.pk)
    hashes.append(document.versions.get().sha256)
print("SEED_JSON " + json.dumps({"hashes": hashes, "bytes": len(content)}))
"""

LIBRARY = """
import json, os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from cityhall.documents import crypto, verification
from cityhall.documents.models import DocumentVersion, Signature
seconds = float(os.environ["BENCH_DOCUMENTS_LIBRARY_SECONDS"])
signatures = [
    (s.key.public_key, s.signature, s.statement.encode()) for s in Signature.objects.select_related("key")
]
versions = list(DocumentVersion.objects.all())
contents = []
for version in versions:
    with version.file.open("rb") as handle:
        contents.append(handle.read())
hashes = [v.sha256 for v in versions]

def rate(work, items):
    for item in items:  # warm up: translations, query compilation, connections
        assert work(item)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for item in items:
            assert work(item)
        done += len(items)
    return done / (time.perf_counter() - started)

result = {
    "ed25519_verify_per_s": rate(lambda s: crypto.verify(*s), signatures),
    "verify_sha256_per_s": rate(lambda h: verification.verify_sha256(h).genuine, hashes),
    "verify_content_per_s": rate(lambda c: verification.verify_content(c).genuine, contents),
    "documents": len(versions),
}
print("LIB_JSON " + json.dumps(result))
"""


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    measured = {}
    for vendor in databases:
        try:
            measured[vendor] = measure_database(vendor, load)
        except DatabaseUnavailableError as error:
            print(f"bench: {NAME}: skipping {vendor}: {error}")
            measured[vendor] = {"vendor": vendor, "skipped": str(error)}
    return {
        "description": DESCRIPTION,
        "tool": load.tool,
        "load": load.describe(),
        "server": SERVER.describe(),
        "documents": DOCUMENTS,
        "budget": {"api_to_bare_min_ratio": BUDGET_API_TO_BARE},
        "databases": measured,
        "within_budget": all(result.get("within_budget", True) for result in measured.values()),
    }


def _python(script: str, config: ServerConfig, workdir: Path, marker: str) -> dict[str, Any]:
    env = server_environment(config, var_dir=workdir / "var")
    env["BENCH_DOCUMENTS"] = str(DOCUMENTS)
    env["BENCH_DOCUMENTS_LIBRARY_SECONDS"] = str(LIBRARY_SECONDS)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(marker)]
    if done.returncode != 0 or not lines:
        raise BenchmarkError(f"{marker.strip()} step failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(marker))
    return result


def measure_database(vendor: str, load: LoadSettings) -> dict[str, Any]:
    with workspace(f"{NAME}-{vendor}") as workdir, database(vendor, workdir) as bench_database:
        config = replace(SERVER, database_url=bench_database.url)
        with running_server(config, workdir) as server:
            print(
                f"bench: {NAME}: {vendor}: server at {server.base_url}; signing {DOCUMENTS} documents",
                flush=True,
            )
            seed = _python(SEED, config, workdir, "SEED_JSON ")
            sha256 = seed["hashes"][len(seed["hashes"]) // 2]
            answer = get_json(server.url(f"/api/v1/documents/verify/{sha256}"))
            if not answer.get("genuine"):
                raise BenchmarkError(
                    f"The verification API did not find the seeded document genuine: {answer}"
                )
            print(
                f"bench: {NAME}: {vendor}: library verification for {LIBRARY_SECONDS:.0f} s each", flush=True
            )
            library = _python(LIBRARY, config, workdir, "LIB_JSON ")
            urls = {
                "bare": server.url("/ping"),
                "api": server.url(f"/api/v1/documents/verify/{sha256}"),
                "page": server.url(f"/documents/verify/?sha256={sha256}"),
            }
            results = measure_interleaved(urls, load, server_cpu=server.cpu_seconds)
        version = postgres_server_version(bench_database.url) if vendor == POSTGRESQL else None
    bare, api, page = results["bare"], results["api"], results["page"]
    ratio = round(api.requests_per_s / bare.requests_per_s, 3) if bare.requests_per_s else None
    return {
        "vendor": vendor,
        "server_version": version,
        "document_bytes": seed["bytes"],
        "library": {
            key: round(value, 1) if isinstance(value, float) else value for key, value in library.items()
        },
        "api": {"endpoint": "GET /api/v1/documents/verify/<sha256>", **api.as_dict()},
        "page": {"endpoint": "GET /documents/verify/?sha256=<sha256>", **page.as_dict()},
        "bare": {"endpoint": "GET /ping", **bare.as_dict()},
        "ratio_api_to_bare": ratio,
        # The page does the same verification as a plain Django view: the fair measure of API overhead.
        "ratio_api_to_page": round(api.requests_per_s / page.requests_per_s, 3)
        if page.requests_per_s
        else None,
        "within_budget": ratio is not None and ratio >= BUDGET_API_TO_BARE,
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for vendor, figures in result["databases"].items():
        if "skipped" in figures:
            lines.append(f"{vendor:<10} skipped: {figures['skipped']}")
            continue
        library = figures["library"]
        lines.append(
            f"{vendor:<10} library: Ed25519 verify {library['ed25519_verify_per_s']:,.0f}/s, "
            f"verify_sha256 {library['verify_sha256_per_s']:,.0f} documents/s, "
            f"verify_content ({figures['document_bytes']} B files) "
            f"{library['verify_content_per_s']:,.0f} documents/s"
        )
        for name in ("api", "page", "bare"):
            row = figures[name]
            lines.append(
                f"{vendor:<10} {row['endpoint']:<42} {row['requests_per_s']:>8.1f} req/s  "
                f"p50 {row['latency_ms']['p50']:.1f}  p99 {row['latency_ms']['p99']:.1f} ms  "
                f"errors {row['errors']}"
            )
        verdict = "within budget" if figures["within_budget"] else "OVER BUDGET"
        lines.append(
            f"{vendor:<10} API / bare /ping = {figures['ratio_api_to_bare']}: {verdict}; "
            f"API / verify page (same work, plain Django view) = {figures.get('ratio_api_to_page')}"
        )
    return lines
