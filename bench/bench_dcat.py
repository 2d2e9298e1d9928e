"""dcat: the cost of the DCAT-AP output and of harvesting, without a server or a database.

- one catalogue page (100 datasets with every field, a distribution each): building the graph and
  serialising it as Turtle, RDF/XML and JSON-LD;
- the metadata quality score of one dataset, uncached (pyshacl with the official and the
  recommended shapes), and full SHACL validation of a 100-dataset page, for information;
- parsing and mapping a 1,000-dataset Turtle catalogue for harvesting.

No budget is set for these in ARCHITECTURE.md; the figures are for information.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from bench.harness import REPO_DIR
from bench.load import LoadSettings

NAME = "dcat"
DESCRIPTION = "DCAT-AP catalogue page build/serialise, quality score, SHACL, harvest parsing (no server)"
MARKER = "BENCH_JSON "


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}
    completed = subprocess.run(
        [sys.executable, "-m", "bench.dcat_driver"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith(MARKER))
    measured = json.loads(line[len(MARKER) :])
    return {
        "description": DESCRIPTION,
        "load_average_before": os.getloadavg(),
        "measured": measured,
        "within_budget": True,
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    return [f"{key}: {value}" for key, value in result["measured"].items()]
