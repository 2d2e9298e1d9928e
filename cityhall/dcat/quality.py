"""Metadata quality: pyshacl over one dataset's DCAT-AP graph, with the official 3.0.1 shapes and
Cityhall's recommended-property shapes, turned into a 0..100 score with plain-language messages.

Score: start at 100; each distinct problem (same severity and property, however many distributions
show it) costs 30 points for a violation, 8 for a warning (a missing recommended property) and 3 for
an info (a missing useful optional property); never below 0. A dataset with a violation also scores
at most 49, so that it can never look "good" while it breaks the profile.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import RDF, SH

from cityhall.catalog.contracts import DatasetRecord
from cityhall.dcat import rdf, vocab
from cityhall.dcat.contracts import QualityMessage, QualityReport

logger = logging.getLogger(__name__)
RECOMMENDED_SHAPES = Path(__file__).parent / "shapes" / "recommended.ttl"
PENALTY = {"violation": 30, "warning": 8, "info": 3}
SEVERITIES = {str(SH.Violation): "violation", str(SH.Warning): "warning", str(SH.Info): "info"}


def official_shapes_path() -> Path:
    configured = getattr(settings, "DCAT_AP_SHACL_SHAPES", "")
    if configured:
        return Path(configured)
    # The vendored shapes live next to the repository, in the shared standards folder.
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "standards" / "schemas" / "dcat-ap-3.0.1-SHACL.ttl"
        if candidate.exists():
            return candidate
        sibling = parent.parent / "shared" / "standards" / "schemas" / "dcat-ap-3.0.1-SHACL.ttl"
        if sibling.exists():
            return sibling
    raise FileNotFoundError(
        "The DCAT-AP 3.0.1 SHACL shapes were not found: set DCAT_AP_SHACL_SHAPES to their path."
    )


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    graph = Graph()
    try:
        graph.parse(official_shapes_path(), format="turtle")
    except FileNotFoundError:
        # A deployment without the shared standards folder still scores the recommended properties.
        logger.warning("dcat.shapes_missing")
    graph.parse(RECOMMENDED_SHAPES, format="turtle")
    return graph


def validation_results(data: Graph) -> list[tuple[str, str, str, str]]:
    """(severity, path, focus class, pyshacl message) for every result of the shapes."""
    _conforms, report, _text = validate(data, shacl_graph=shapes_graph(), inference="none", advanced=False)
    assert isinstance(report, Graph)
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = SEVERITIES.get(str(report.value(result, SH.resultSeverity)), "violation")
        path = report.value(result, SH.resultPath)
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        focus_class = ""
        if focus is not None:
            for cls in data.objects(focus, RDF.type):
                focus_class = _prefixed(cls)
                if focus_class in ("dcat:Dataset", "dcat:Distribution", "dcat:Catalog", "foaf:Agent"):
                    break
        results.append(
            (severity, _prefixed(path) if path is not None else "", focus_class, str(message or ""))
        )
    return results


def _prefixed(node: object) -> str:
    text = str(node)
    for prefix, namespace in vocab.PREFIXES.items():
        if text.startswith(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)) :]}"
    return text


def _plain(severity: str, path: str, focus_class: str, message: str) -> str:
    if severity != "violation":
        return message  # the recommended shapes carry their own plain sentences
    known = {
        "dct:title": _("The title is missing."),
        "dct:description": _("The description is missing: describe what the data contains."),
        "dcat:accessURL": _("A distribution has no access link."),
        "foaf:name": _("The publisher has no name."),
        "dct:publisher": _("The publisher is missing or given more than once."),
        "dct:license": _(
            "A distribution has more than one licence, or the licence is not a licence document."
        ),
        "dct:format": _("A distribution's file format is not a value of the EU file-type list."),
    }
    where = {"dcat:Distribution": _("distribution"), "dcat:Dataset": _("dataset")}.get(
        focus_class, focus_class
    )
    return known.get(path) or _("The %(where)s does not conform to DCAT-AP at %(path)s: %(detail)s") % {
        "where": where or _("metadata"),
        "path": path,
        "detail": message,
    }


def report_from_results(results: list[tuple[str, str, str, str]]) -> QualityReport:
    distinct: dict[tuple[str, str], QualityMessage] = {}
    for severity, path, focus_class, message in results:
        key = (severity, path)
        if key not in distinct:
            distinct[key] = QualityMessage(severity, path, _plain(severity, path, focus_class, message))
    score = 100 - sum(PENALTY[severity] for severity, _path in distinct)
    conforms = not any(severity == "violation" for severity, _path in distinct)
    if not conforms:
        score = min(score, 49)
    order = {"violation": 0, "warning": 1, "info": 2}
    messages = tuple(sorted(distinct.values(), key=lambda m: (order[m.severity], m.path)))
    return QualityReport(score=max(0, score), messages=messages, conforms=conforms)


def record_quality(record: DatasetRecord) -> QualityReport:
    return report_from_results(validation_results(rdf.dataset_graph(record)))


def graph_conforms(data: Graph) -> tuple[bool, str]:
    """Whether a graph conforms to the official shapes alone; the text report when it does not."""
    conforms, _report, text = validate(
        data, shacl_graph=str(official_shapes_path()), shacl_graph_format="turtle", inference="none"
    )
    return bool(conforms), str(text)
