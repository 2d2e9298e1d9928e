"""Loading the shared reference data: the U4SSC KPI list and the ISO 37101 matrix.

The files are not vendored: they live in the shared standards data beside the repository
(`../shared/standards/data`, i.e. `settings.BASE_DIR.parent / "shared" / "standards" / "data"`).
Loading is idempotent, validates every row first, and writes nothing if any row is bad.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.operating import reference
from cityhall.operating.csvio import CsvImportError, read_rows
from cityhall.operating.models import (
    Indicator,
    IndicatorFramework,
    IndicatorKind,
    IndicatorTheme,
    SustainabilityIssue,
    SustainabilityPurpose,
    ThemeLevel,
)
from cityhall.operating.services._common import User, audit, audit_named, require_programme_office

U4SSC_FILE = "u4ssc-kpis.csv"
MATRIX_FILE = "iso37101-matrix.csv"
U4SSC_COLUMNS = [
    "code",
    "name",
    "dimension",
    "sub_dimension",
    "category",
    "level",
    "sdg_goals",
    "evaluation_level",
]
MATRIX_COLUMNS = ["kind", "name", "order"]
U4SSC_CODE = re.compile(r"^(EC|EN|SC):([A-Z]+):([A-Z]+):(\d+)([CA])$")
DIMENSIONS = {"EC": "Economy", "EN": "Environment", "SC": "Society and Culture"}
EVALUATION_LEVELS = {"Input", "Process", "Output", "Outcome", "Impact"}


class ReferenceDataMissingError(ServiceError):
    code = "reference_data_missing"


def reference_data_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "standards" / "data"


def reference_file(name: str, path: Path | None = None) -> Path:
    located = path or reference_data_dir() / name
    if not located.is_file():
        raise ReferenceDataMissingError(
            _(
                "The reference data file %(path)s is missing. Cityhall reads it from the shared standards "
                "data beside the repository (../shared/standards/data); put the shared data there, or give "
                "the file's path, and load again."
            )
            % {"path": located}
        )
    return located


@dataclass(frozen=True, slots=True)
class LoadReport:
    created: int
    updated: int
    total: int


def reference_seed() -> None:
    """The seed rows of the data migration (frameworks, ISO 37120 themes, principles, risk areas)."""
    reference.seed_reference(django_apps)


@transaction.atomic
def iso37101_matrix_load(*, actor: User | None, path: Path | None = None) -> LoadReport:
    require_programme_office(actor)
    text = reference_file(MATRIX_FILE, path).read_text(encoding="utf-8")
    errors: list[tuple[int, str]] = []
    rows: list[tuple[str, str, int]] = []
    for line, row in read_rows(text, required=MATRIX_COLUMNS, optional=[]):
        if "__extra__" in row:
            errors.append((line, _("the row has more cells than the header")))
            continue
        if row["kind"] not in {"purpose", "issue"}:
            errors.append(
                (line, _("kind must be “purpose” or “issue”, not “%(kind)s”") % {"kind": row["kind"]})
            )
            continue
        if not row["name"]:
            errors.append((line, _("the name is empty")))
            continue
        if not row["order"].isdigit():
            errors.append(
                (line, _("order must be a whole number, not “%(order)s”") % {"order": row["order"]})
            )
            continue
        rows.append((row["kind"], row["name"], int(row["order"])))
    if errors:
        raise CsvImportError(errors)
    created = updated = 0
    for kind, name, order in rows:
        model = SustainabilityPurpose if kind == "purpose" else SustainabilityIssue
        current = model.objects.filter(order=order).first()
        if current is None:
            model.objects.create(name=name, order=order)
            created += 1
        elif current.name != name:
            current.name = name
            current.save(update_fields=["name", "updated_at"])
            updated += 1
    report = LoadReport(created=created, updated=updated, total=len(rows))
    audit_named(
        actor,
        "reference.load_matrix",
        object_type="operating.iso37101_matrix",
        data={"created": created, "updated": updated, "rows": len(rows)},
    )
    return report


def _part(name: str, repeated: bool) -> str:
    """Multi-part KPIs repeat their code; the part is the name's last ' - ' segment (e.g. '4G')."""
    if repeated and " - " in name:
        return name.rsplit(" - ", 1)[1].strip()
    return ""


@transaction.atomic
def u4ssc_kpis_load(*, actor: User | None, path: Path | None = None) -> LoadReport:
    """The 91 U4SSC KPIs (111 rows: multi-part KPIs have a row per part) with their themes."""
    require_programme_office(actor)
    reference_seed()
    text = reference_file(U4SSC_FILE, path).read_text(encoding="utf-8")
    errors: list[tuple[int, str]] = []
    parsed: list[tuple[int, dict[str, str], re.Match[str]]] = []
    for line, row in read_rows(text, required=U4SSC_COLUMNS, optional=[]):
        if "__extra__" in row:
            errors.append((line, _("the row has more cells than the header")))
            continue
        match = U4SSC_CODE.match(row["code"])
        if not match:
            errors.append(
                (line, _("“%(code)s” is not a U4SSC code like EC:ICT:ICT:1C") % {"code": row["code"]})
            )
            continue
        problems = _u4ssc_row_problems(row, match)
        if problems:
            errors.append((line, problems))
            continue
        parsed.append((line, row, match))
    if errors:
        raise CsvImportError(errors)

    code_counts: dict[str, int] = {}
    for _line, row, _match in parsed:
        code_counts[row["code"]] = code_counts.get(row["code"], 0) + 1
    keys: dict[tuple[str, str], int] = {}
    for line, row, _match in parsed:
        key = (row["code"], _part(row["name"], code_counts[row["code"]] > 1))
        if key in keys:
            errors.append((line, _("repeats the KPI of row %(row)d") % {"row": keys[key]}))
        keys[key] = line
    if errors:
        raise CsvImportError(errors)

    framework = IndicatorFramework.objects.get(code="u4ssc")
    themes = {theme.code: theme for theme in IndicatorTheme.objects.filter(framework=framework)}

    def theme(code: str, name: str, level: str, parent: IndicatorTheme | None, order: int) -> IndicatorTheme:
        current = themes.get(code)
        if current is None:
            current = IndicatorTheme.objects.create(
                framework=framework, code=code, name=name, level=level, parent=parent, order=order
            )
            themes[code] = current
        elif current.name != name:
            current.name = name
            current.save(update_fields=["name", "updated_at"])
        return current

    existing = {(i.code, i.part): i for i in Indicator.objects.filter(framework=framework)}
    created = updated = 0
    for order, (_line, row, match) in enumerate(parsed, start=1):
        dimension_code, sub_code, category_code = match.group(1), match.group(2), match.group(3)
        dimension = theme(dimension_code, row["dimension"], ThemeLevel.DIMENSION, None, len(themes))
        sub_dimension = theme(
            f"{dimension_code}:{sub_code}",
            row["sub_dimension"],
            ThemeLevel.SUB_DIMENSION,
            dimension,
            len(themes),
        )
        category = theme(
            f"{dimension_code}:{sub_code}:{category_code}",
            row["category"],
            ThemeLevel.CATEGORY,
            sub_dimension,
            len(themes),
        )
        part = _part(row["name"], code_counts[row["code"]] > 1)
        values = {
            "theme": category,
            "name": row["name"],
            "kind": IndicatorKind.CORE if row["level"] == "core" else IndicatorKind.ADVANCED,
            "sdg_goals": [int(goal) for goal in row["sdg_goals"].split(";") if goal],
            "evaluation_level": row["evaluation_level"],
            "order": order,
        }
        indicator = existing.get((row["code"], part))
        if indicator is None:
            Indicator.objects.create(framework=framework, code=row["code"], part=part, **values)
            created += 1
            continue
        changed = [name for name, value in values.items() if getattr(indicator, name) != value]
        if changed:
            for name in changed:
                setattr(indicator, name, values[name])
            indicator.save(update_fields=[*changed, "updated_at"])
            updated += 1
    report = LoadReport(created=created, updated=updated, total=len(parsed))
    audit(
        actor,
        "reference.load_kpis",
        framework,
        {"created": created, "updated": updated, "rows": len(parsed), "kpis": len(code_counts)},
    )
    return report


def _u4ssc_row_problems(row: dict[str, str], match: re.Match[str]) -> str:
    if not row["name"]:
        return _("the name is empty")
    expected_dimension = DIMENSIONS[match.group(1)]
    if row["dimension"] != expected_dimension:
        return _("the code says dimension %(expected)s but the row says “%(given)s”") % {
            "expected": expected_dimension,
            "given": row["dimension"],
        }
    expected_level = "core" if match.group(5) == "C" else "advanced"
    if row["level"] != expected_level:
        return _("a code ending in %(suffix)s is %(expected)s, but the row says “%(given)s”") % {
            "suffix": match.group(5),
            "expected": expected_level,
            "given": row["level"],
        }
    for goal in filter(None, row["sdg_goals"].split(";")):
        if not goal.isdigit() or not 1 <= int(goal) <= 17:
            return _("“%(goal)s” is not an SDG goal number (1 to 17)") % {"goal": goal}
    if row["evaluation_level"] and row["evaluation_level"] not in EVALUATION_LEVELS:
        return _("“%(level)s” is not an evaluation level (%(levels)s)") % {
            "level": row["evaluation_level"],
            "levels": ", ".join(sorted(EVALUATION_LEVELS)),
        }
    if not row["sub_dimension"] or not row["category"]:
        return _("the sub-dimension or category is empty")
    return ""
