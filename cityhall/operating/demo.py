"""The demo city's operating model: Aldermere's vision, six objectives, four programmes, twelve projects,
a benefit map of about 25 nodes, 30 U4SSC KPIs with five years of values, 15 risks, and the registers
around them. Everything goes through the services (as the platform itself, actor=None), so the rules
and the audit chain apply. Safe to run twice: whatever exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from cityhall.accounts.facade import departments
from cityhall.operating import services
from cityhall.operating.models import (
    Benefit,
    BenefitLink,
    BenefitMapNode,
    ChecklistReview,
    Contract,
    DeliveryPrinciple,
    EngagementActivity,
    GovernanceBody,
    Indicator,
    InteroperabilityDomain,
    ItSystem,
    MaturityAssessment,
    Objective,
    ProcurementNeed,
    Programme,
    Project,
    ProjectStatus,
    Risk,
    RiskArea,
    Stakeholder,
    Supplier,
    SustainabilityPurpose,
    Term,
    Vision,
)
from cityhall.operating.services.reference import ReferenceDataMissingError

Log = Callable[[str], None]

OBJECTIVES = [
    ("O1", "Halve the city's carbon emissions by 2035", "environment", [(2, 11), (4, 10), (2, 8)]),
    ("O2", "Make getting around cleaner, safer and quicker", "roads", [(6, 11), (2, 11), (3, 9)]),
    ("O3", "Digital public services that everyone can use", "digital", [(5, 1), (6, 10), (1, 3)]),
    ("O4", "Open data and innovation that grow local business", "open-data", [(1, 3), (1, 7), (4, 7)]),
    ("O5", "A city ready for floods and heat", "emergency", [(3, 9), (3, 10), (2, 12)]),
    ("O6", "Healthy, inclusive neighbourhoods", "social", [(6, 4), (5, 6), (5, 2)]),
]

# code, title, department, objectives, start offset (years from base), length in years
PROGRAMMES = [
    ("P1", "Green Mobility", "roads", ["O1", "O2"], 0, 5),
    ("P2", "Digital City Services", "digital", ["O3", "O6"], 0, 4),
    ("P3", "Resilient River", "environment", ["O5", "O1"], 1, 4),
    ("P4", "Open Data and Innovation", "open-data", ["O4", "O3"], 0, 3),
]

# code, programme, title, phase, status, department, start (months from base), length (months), budget
PROJECTS = [
    ("MOB-01", "P1", "Real-time bus information", "quick_win", "live", "roads", 0, 14, 850_000),
    ("MOB-02", "P1", "Smart traffic signals", "foundation", "in_delivery", "roads", 8, 30, 3_200_000),
    ("MOB-03", "P1", "Protected cycle network", "scale_up", "approved", "roads", 20, 36, 6_500_000),
    ("DIG-01", "P2", "One city account and front door", "foundation", "live", "digital", 2, 18, 1_400_000),
    ("DIG-02", "P2", "Online permits and payments", "scale_up", "in_delivery", "digital", 14, 24, 1_900_000),
    ("DIG-03", "P2", "Assisted digital help points", "quick_win", "live", "social", 4, 10, 300_000),
    (
        "RES-01",
        "P3",
        "River level sensors and flood alerts",
        "foundation",
        "live",
        "emergency",
        12,
        16,
        1_100_000,
    ),
    ("RES-02", "P3", "Urban tree canopy and cooling", "scale_up", "in_delivery", "parks", 18, 36, 2_400_000),
    ("RES-03", "P3", "Smart street lighting", "quick_win", "live", "public-works", 12, 12, 1_700_000),
    ("DAT-01", "P4", "Open data portal", "foundation", "live", "open-data", 5, 12, 450_000),
    ("DAT-02", "P4", "City data platform and APIs", "foundation", "in_delivery", "digital", 6, 28, 2_100_000),
    ("DAT-03", "P4", "Innovation challenge fund", "quick_win", "approved", "open-data", 24, 12, 600_000),
]
DEPENDENCIES = [
    ("MOB-02", "DAT-02"),
    ("DIG-02", "DIG-01"),
    ("RES-01", "DAT-02"),
    ("DAT-03", "DAT-01"),
    ("MOB-01", "DAT-01"),
]
LIFECYCLE = [ProjectStatus.APPROVED, ProjectStatus.IN_DELIVERY, ProjectStatus.LIVE]
ADOPTED_PRINCIPLES = ["A1", "A2", "A3", "A4", "A8", "A9"]

# code, part, unit, higher is better, first value, last value, headline, responsible department
KPIS = [
    ("EC:ICT:ICT:1C", "", "%", True, 78, 92, True, "digital"),
    ("EC:ICT:ICT:2C", "", "per 100 inhabitants", True, 31, 38, False, "digital"),
    ("EC:ICT:ICT:4C", "4G", "%", True, 88, 99, False, "digital"),
    ("EC:ICT:ICT:5A", "", "hotspots", True, 40, 160, False, "digital"),
    ("EC:ICT:WS:1C", "", "%", True, 5, 48, False, "public-works"),
    ("EC:ICT:ES:1C", "", "%", True, 22, 71, False, "environment"),
    ("EC:ICT:T:1C", "", "%", True, 10, 85, True, "roads"),
    ("EC:ICT:T:2C", "", "%", True, 20, 65, False, "roads"),
    ("EC:ICT:PS:1A", "", "%", True, 15, 62, True, "open-data"),
    ("EC:ICT:PS:2A", "", "%", True, 35, 78, True, "digital"),
    ("EC:ICT:PS:3A", "", "%", True, 40, 88, False, "finance"),
    ("EC:P:EM:1C", "", "%", False, 7.8, 5.9, False, "finance"),
    ("EC:I:T:1C", "", "km per 100,000 inhabitants", True, 41, 47, False, "roads"),
    ("EC:I:T:3C", "", "km per 100,000 inhabitants", True, 28, 61, True, "roads"),
    ("EC:I:T:4A", "Public Transport", "%", True, 21, 27, True, "roads"),
    ("EC:I:T:4A", "Cycling", "%", True, 6, 12, False, "roads"),
    ("EC:I:T:4A", "Private Vehicles", "%", False, 52, 43, False, "roads"),
    ("EN:EN:AQ:1C", "PM 2.5", "µg/m³", False, 14.2, 9.8, True, "environment"),
    ("EN:EN:AQ:1C", "NO2", "µg/m³", False, 31, 22, False, "environment"),
    ("EN:EN:AQ:2C", "", "t CO2e per capita", False, 6.1, 4.6, True, "environment"),
    ("EN:EN:WS:2C", "", "litres per capita per day", False, 142, 128, False, "public-works"),
    ("EN:EN:WA:1C", "Recycled", "%", True, 34, 47, True, "waste"),
    ("EN:EN:PSN:1C", "", "m² per inhabitant", True, 18, 19.5, False, "parks"),
    ("EN:E:E:1C", "", "%", True, 19, 34, True, "environment"),
    ("EN:E:E:2C", "", "kWh per capita", False, 5400, 4950, False, "environment"),
    ("SC:EH:ED:1C", "", "%", True, 71, 96, False, "social"),
    ("SC:EH:H:1C", "", "years", True, 81.2, 81.9, False, "social"),
    ("SC:SH:SI:4C", "", "%", True, 58, 63, False, "clerk"),
    ("SC:SH:SA:5A", "", "minutes", False, 9.5, 7.8, True, "emergency"),
    ("SC:SH:SA:9C", "", "per 100,000 inhabitants", False, 4.1, 2.6, True, "roads"),
]
WOBBLE = [0.0, 0.35, -0.2, 0.25, 0.0]  # a share of one year's step, so the lines are not perfectly straight


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def demo_load(log: Log) -> None:
    today = _today()
    base_year = today.year - 3
    by_slug = {department.slug: department.id for department in departments()}
    services.reference_seed()
    reference_loaded = _load_reference(log)
    _vision(today)
    _objectives(by_slug, reference_loaded)
    bodies = _governance(by_slug, today)
    _principles(bodies, today)
    _roadmap(by_slug, base_year, bodies)
    if reference_loaded:
        _indicators(by_slug, today)
    _benefits(by_slug, today, reference_loaded)
    _benefit_map()
    _risks(by_slug, today)
    _architecture(by_slug)
    _procurement(by_slug, today)
    _stakeholders(today)
    _maturity(today)
    log(
        f"Operating model: {Objective.objects.count()} objectives, {Programme.objects.count()} programmes, "
        f"{Project.objects.count()} projects, {BenefitMapNode.objects.count()} benefit map nodes, "
        f"{Indicator.objects.filter(summary__value_count__gt=0).count()} indicators with values, "
        f"{Risk.objects.count()} risks."
    )


def _load_reference(log: Log) -> bool:
    try:
        if not Indicator.objects.filter(framework__code="u4ssc").exists():
            services.u4ssc_kpis_load(actor=None)
        if not SustainabilityPurpose.objects.exists():
            services.iso37101_matrix_load(actor=None)
    except ReferenceDataMissingError as error:
        log(f"Operating model: indicators and the ISO 37101 matrix skipped. {error.message}")
        return False
    return True


def _vision(today: dt.date) -> None:
    if Vision.objects.exists():
        return
    first = services.vision_draft(
        actor=None,
        title="Aldermere 2030: a connected river city",
        statement="A city that uses technology to connect its neighbourhoods and its river economy.",
        horizon_year=2030,
        consultation_reference="Citizens' panel, spring " + str(today.year - 5),
    )
    services.vision_adopt(actor=None, vision_id=first.pk, adopted_on=dt.date(today.year - 5, 6, 1))
    second = services.vision_draft(
        actor=None,
        title="Aldermere 2035: green, connected and open to all",
        statement=(
            "By 2035 Aldermere is a low-carbon river city where getting around is clean and safe, public "
            "services work for everyone online and in person, the city's data is open, and every "
            "neighbourhood is ready for floods and heat."
        ),
        horizon_year=2035,
        consultation_reference="Online consultation and six district workshops, " + str(today.year - 3),
    )
    services.vision_adopt(actor=None, vision_id=second.pk, adopted_on=dt.date(today.year - 3, 3, 15))


def _objectives(by_slug: dict[str, Any], with_cells: bool) -> None:
    for order, (code, title, department, cells) in enumerate(OBJECTIVES, start=1):
        if Objective.objects.filter(code=code).exists():
            continue
        services.objective_create(
            actor=None,
            code=code,
            title=title,
            owner_department_id=by_slug.get(department),
            order=order,
            cells=cells if with_cells else [],
        )


def _governance(by_slug: dict[str, Any], today: dt.date) -> dict[str, GovernanceBody]:
    specs = [
        ("Smart City Board", "board", "mayors-office", "quarterly", True,
         "Sets the direction of the smart-city programme, owns the roadmap and its budget."),
        ("Smart City Programme Office", "programme_office", "digital", "weekly", False,
         "Runs the operating model day to day: roadmap, benefits, indicators and risks."),
        ("Data Ethics Panel", "advisory_panel", "open-data", "every two months", True,
         "Advises on the use of residents' data and on what is published as open data."),
    ]  # fmt: skip
    bodies = {}
    for name, kind, department, frequency, cross, terms in specs:
        body = GovernanceBody.objects.filter(name=name).first() or services.governance_body_create(
            actor=None,
            name=name,
            kind=kind,
            department_id=by_slug.get(department),
            meeting_frequency=frequency,
            is_cross_sector=cross,
            terms_of_reference=terms,
            established_on=dt.date(today.year - 4, 1, 15),
        )
        bodies[name] = body
    return bodies


def _principles(bodies: dict[str, GovernanceBody], today: dt.date) -> None:
    for code in ADOPTED_PRINCIPLES:
        principle = DeliveryPrinciple.objects.filter(code=code).first()
        if principle is None or hasattr(principle, "adoption"):
            continue
        services.principle_adopt(
            actor=None,
            principle_id=principle.pk,
            adopted_on=dt.date(today.year - 3, 4, 20),
            adopted_by_id=bodies["Smart City Board"].pk,
            evidence="Smart City Board minutes, item 4: the delivery principles adopted with the vision.",
        )


def _months(base_year: int, months: int) -> dt.date:
    return dt.date(base_year + months // 12, months % 12 + 1, 1)


def _roadmap(by_slug: dict[str, Any], base_year: int, bodies: dict[str, GovernanceBody]) -> None:
    objectives = {objective.code: objective.pk for objective in Objective.objects.all()}
    programmes = {programme.code: programme for programme in Programme.objects.all()}
    for code, title, department, objective_codes, offset, years in PROGRAMMES:
        if code in programmes:
            continue
        programmes[code] = services.programme_create(
            actor=None,
            code=code,
            title=title,
            starts_on=dt.date(base_year + offset, 1, 1),
            ends_on=dt.date(base_year + offset + years - 1, 12, 31),
            department_id=by_slug.get(department),
            governance_body_id=bodies["Smart City Board"].pk,
            objective_ids=[objectives[o] for o in objective_codes if o in objectives],
            budget=Decimal(sum(p[8] for p in PROJECTS if p[1] == code)),
            status="active",
            description=f"The {title} programme of Aldermere's smart-city roadmap.",
        )
    adopted = list(DeliveryPrinciple.objects.filter(adoption__isnull=False))
    for code, programme, title, phase, status, department, start, length, budget in PROJECTS:
        if Project.objects.filter(code=code).exists():
            continue
        starts_on = _months(base_year, start)
        project = services.project_create(
            actor=None,
            programme_id=programmes[programme].pk,
            code=code,
            title=title,
            phase=phase,
            starts_on=starts_on,
            ends_on=_months(base_year, start + length) - dt.timedelta(days=1),
            department_id=by_slug.get(department),
            budget=Decimal(budget),
            description=f"{title}, part of the {programmes[programme].title} programme.",
        )
        for index, principle in enumerate(adopted):
            services.principle_assess(
                actor=None,
                principle_id=principle.pk,
                project_id=project.pk,
                score=(3, 2, 3, 2, 1, 2)[index % 6],
                rationale=f"Self-assessment of {code} against {principle.code} at the approval gate.",
                assessed_on=starts_on,
            )
        for step in LIFECYCLE[: LIFECYCLE.index(ProjectStatus(status)) + 1]:
            services.project_set_status(
                actor=None, project_id=project.pk, status=step, on=_months(base_year, start + length)
            )
        services.milestone_create(
            actor=None,
            project_id=project.pk,
            title="Supplier chosen",
            due_on=starts_on + dt.timedelta(days=90),
        )
        services.milestone_create(
            actor=None,
            project_id=project.pk,
            title="In service",
            due_on=_months(base_year, start + length) - dt.timedelta(days=1),
        )
        for milestone in project.milestones.order_by("due_on"):
            reached = milestone.title == "Supplier chosen" or status == ProjectStatus.LIVE
            if reached and milestone.due_on < _today():
                services.milestone_complete(
                    actor=None, milestone_id=milestone.pk, completed_on=milestone.due_on
                )
    projects = {project.code: project.pk for project in Project.objects.all()}
    for code, depends_on in DEPENDENCIES:
        services.project_dependency_add(
            actor=None, project_id=projects[code], depends_on_id=projects[depends_on]
        )


def _indicators(by_slug: dict[str, Any], today: dt.date) -> None:
    last_year = today.year - 1
    years = list(range(last_year - 4, last_year + 1))
    rows = ["code,part,period,value,unit,source_name"]
    for code, part, unit, higher, first, last, headline, department in KPIS:
        indicator = Indicator.objects.filter(framework__code="u4ssc", code=code, part=part).first()
        if indicator is None:
            continue
        if not indicator.unit:
            services.indicator_configure(
                actor=None,
                indicator_id=indicator.pk,
                unit=unit,
                higher_is_better=higher,
                responsible_department_id=by_slug.get(department),
                is_headline=headline,
            )
        if indicator.values.exists():
            continue
        step = (last - first) / 4
        for index, year in enumerate(years):
            value = first + step * index + (step * WOBBLE[index] if 0 < index < 4 else 0)
            rows.append(f'{code},{part},{year},{round(value, 2)},"{unit}",Aldermere statistics office')
        if headline:
            target = last + (last - first) * 0.6
            if unit == "%":
                target = min(target, 100.0) if higher else max(target, 0.0)
            gap = (target - first) / 4
            services.indicator_target_set(
                actor=None,
                indicator_id=indicator.pk,
                target_value=round(target, 2),
                target_year=today.year + 4,
                level_bands=[round(first + gap * n, 2) for n in (1, 2, 3, 4)],
            )
    if len(rows) > 1:
        services.indicator_values_import(
            actor=None, text="\n".join(rows) + "\n", file_name="aldermere-kpis.csv"
        )
    pm25 = Indicator.objects.filter(framework__code="u4ssc", code="EN:EN:AQ:1C", part="PM 2.5").first()
    if pm25 is not None and not pm25.values.filter(district__isnull=False).exists():
        district_rows = ["code,part,period,value,unit,district"]
        for offset, slug in enumerate(
            ["old-town", "riverside", "north-hill", "harbour", "eastfield", "westbrook"]
        ):
            district_rows.append(
                f"EN:EN:AQ:1C,PM 2.5,{last_year},{9.8 + (offset - 2) * 0.7:.1f},µg/m³,{slug}"
            )
        services.indicator_values_import(
            actor=None, text="\n".join(district_rows) + "\n", file_name="aldermere-pm25.csv"
        )


def _benefits(by_slug: dict[str, Any], today: dt.date, with_indicators: bool) -> None:
    last_year = today.year - 1
    first_year = last_year - 4
    target_date = dt.date(today.year + 4, 12, 31)

    def indicator_id(code: str, part: str) -> Any:
        indicator = Indicator.objects.filter(framework__code="u4ssc", code=code, part=part).first()
        return indicator.pk if indicator is not None else None

    specs: list[dict[str, Any]] = [
        dict(code="B01", title="Cleaner air", kind="environmental", stakeholder_group="residents",
             measure="Annual mean PM2.5 concentration", unit="µg/m³", higher_is_better=False,
             indicator=("EN:EN:AQ:1C", "PM 2.5"), baseline=14.2, target=8.0, department="environment",
             cells=[(2, 4), (6, 4)]),
        dict(code="B02", title="Lower carbon emissions", kind="environmental",
             stakeholder_group="city_organisations",
             measure="Greenhouse gas emissions per "
                 "resident", unit="t CO2e per capita", higher_is_better=False,
             indicator=("EN:EN:AQ:2C", ""), baseline=6.1, target=3.5, department="environment",
             cells=[(2, 8)]),
        dict(code="B03", title="Time saved by residents", kind="public_service",
             stakeholder_group="residents",
             measure="Hours a resident saves a year on trips and services", unit="hours per resident",
             baseline=0.0, target=6.0, department="digital", values=[0.8, 1.9, 2.7, 3.1], cells=[(6, 10)]),
        dict(code="B04", title="Savings at service counters", kind="economic", value_type="cash_releasing",
             stakeholder_group="city_organisations", measure="Counter costs avoided a year", unit="EUR",
             baseline=0.0, target=1_200_000.0, department="finance", cash_value=Decimal("1200000"),
             values=[None, 180_000.0, 420_000.0, 610_000.0], cells=[(4, 7)]),
        dict(code="B05", title="Fewer flood losses", kind="economic", stakeholder_group="businesses",
             measure="Insured and public flood losses a year", unit="EUR million", higher_is_better=False,
             baseline=4.2, target=1.5, department="emergency", values=[3.9, 3.1, 3.4, 2.8], cells=[(3, 9)]),
        dict(code="B06", title="Healthier summers", kind="social", stakeholder_group="residents",
             measure="Heat-related emergency calls a summer", unit="calls", higher_is_better=False,
             baseline=310.0, target=200.0, department="social", values=[305.0, 301.0, 298.0, 296.0],
             cells=[(6, 4)]),
        dict(code="B07", title="Disruption during street works", kind="social", stakeholder_group="residents",
             measure="Days of road closures a year", unit="days", higher_is_better=False, is_disbenefit=True,
             baseline=120.0, target=60.0, department="roads", values=[None, 180.0, 150.0, 110.0],
             cells=[(6, 11)]),
    ]  # fmt: skip
    for spec in specs:
        if Benefit.objects.filter(code=spec["code"]).exists():
            continue
        computed = "indicator" if with_indicators and "indicator" in spec else ""
        benefit = services.benefit_create(
            actor=None,
            code=spec["code"],
            title=spec["title"],
            kind=spec["kind"],
            value_type=spec.get("value_type", "non_cash"),
            is_disbenefit=spec.get("is_disbenefit", False),
            stakeholder_group=spec["stakeholder_group"],
            measure=spec["measure"],
            unit=spec["unit"],
            higher_is_better=spec.get("higher_is_better", True),
            indicator_id=indicator_id(*spec["indicator"]) if computed else None,
            computed_from=computed,
            owner_department_id=by_slug.get(spec["department"]),
            baseline_value=spec["baseline"],
            baseline_date=dt.date(first_year, 1, 1),
            baseline_source="Aldermere statistics office",
            target_value=spec["target"],
            target_date=target_date,
            cash_value=spec.get("cash_value"),
            confidence="medium",
            cells=spec["cells"] if with_indicators else [],
        )
        services.benefit_update(actor=None, benefit_id=benefit.pk, status="realising")
        halfway = dt.date(last_year + 1, 12, 31)
        services.benefit_trajectory_set(
            actor=None,
            benefit_id=benefit.pk,
            points=[(halfway, round(spec["baseline"] + (spec["target"] - spec["baseline"]) * 0.5, 2))],
        )
        for offset, value in enumerate(spec.get("values", [])):
            if value is not None:
                services.benefit_measurement_record(
                    actor=None,
                    benefit_id=benefit.pk,
                    period=str(first_year + 1 + offset),
                    value=value,
                    unit=spec["unit"],
                    source_reference="Aldermere benefit tracker",
                )
    _reviews_and_actions(by_slug, today)


def _reviews_and_actions(by_slug: dict[str, Any], today: dt.date) -> None:
    b03 = Benefit.objects.filter(code="B03").first()
    if b03 is not None and not b03.reviews.exists():
        review = services.checkpoint_review_record(
            actor=None,
            benefit_id=b03.pk,
            reviewer_name="Regional Audit Office",
            is_independent=True,
            rag="amber",
            findings="Take-up of online permits lags; counter visits fall more slowly than planned.",
            reviewed_on=today - dt.timedelta(days=200),
            next_review_due=today - dt.timedelta(days=20),
        )
        services.delivery_action_create(
            actor=None,
            benefit_id=b03.pk,
            review_id=review.pk,
            title="Switch off the paper permit form once online take-up passes 80 %",
            kind="legacy_switch_off",
            owner_department_id=by_slug.get("digital"),
            due_on=today + dt.timedelta(days=120),
        )
        services.delivery_action_create(
            actor=None,
            benefit_id=b03.pk,
            title="Train counter staff as digital helpers",
            kind="cultural_change",
            owner_department_id=by_slug.get("social"),
            due_on=today - dt.timedelta(days=10),
        )
    b05 = Benefit.objects.filter(code="B05").first()
    if b05 is not None and not b05.reviews.exists():
        services.checkpoint_review_record(
            actor=None,
            benefit_id=b05.pk,
            reviewer_name="Smart City Programme Office",
            rag="green",
            findings="Flood alerts reached 94 % of riverside households during the spring flood.",
            reviewed_on=today - dt.timedelta(days=60),
            next_review_due=today + dt.timedelta(days=120),
        )
    rs3 = Project.objects.filter(code="RES-03").first()
    if rs3 is not None and not rs3.reviews.exists():
        services.checkpoint_review_record(
            actor=None,
            project_id=rs3.pk,
            reviewer_name="Smart City Programme Office",
            rag="green",
            findings="The LED street lights cut the lighting energy bill by 58 %; savings reallocated "
            "to parks.",
            reviewed_on=today - dt.timedelta(days=30),
        )


def _benefit_map() -> None:
    if BenefitLink.objects.exists():
        return

    def project(code: str) -> Any:
        return services.benefit_map_node_create(
            actor=None, kind="project", project_id=Project.objects.get(code=code).pk
        ).pk

    def objective(code: str) -> Any:
        return services.benefit_map_node_create(
            actor=None, kind="objective", objective_id=Objective.objects.get(code=code).pk
        ).pk

    def node(kind: str, label: str) -> Any:
        return services.benefit_map_node_create(actor=None, kind=kind, label=label).pk

    def benefit(code: str) -> Any:
        found = BenefitMapNode.objects.filter(benefit__code=code).first()
        return found.pk if found else None

    nodes = {
        "fibre": node("enabler", "City-wide fibre and sensor network"),
        "DAT-02": project("DAT-02"),
        "MOB-01": project("MOB-01"),
        "MOB-03": project("MOB-03"),
        "DIG-01": project("DIG-01"),
        "DIG-02": project("DIG-02"),
        "RES-01": project("RES-01"),
        "RES-02": project("RES-02"),
        "arrivals": node("output", "Live arrival times at every stop"),
        "routes": node("output", "Connected, protected cycle routes"),
        "online": node("output", "Services online from end to end"),
        "warnings": node("output", "Flood warnings by text and app"),
        "trees": node("output", "Thousands of new street trees"),
        "modal": node("outcome", "More trips by bus and bike"),
        "counters": node("outcome", "Fewer visits to service counters"),
        "prepared": node("outcome", "Earlier evacuation and protection"),
        "cooler": node("outcome", "Cooler streets in summer"),
        "B01": benefit("B01"),
        "B02": benefit("B02"),
        "B03": benefit("B03"),
        "B04": benefit("B04"),
        "B05": benefit("B05"),
        "B06": benefit("B06"),
        "B07": benefit("B07"),
        "O1": objective("O1"),
        "O2": objective("O2"),
        "O3": objective("O3"),
        "O5": objective("O5"),
    }
    links = [
        ("fibre", "DAT-02", "enables"), ("DAT-02", "arrivals", "enables"), ("MOB-01", "arrivals", "enables"),
        ("MOB-03", "routes", "enables"), ("DIG-01", "online", "enables"), ("DIG-02", "online", "enables"),
        ("fibre", "warnings", "enables"), ("RES-01", "warnings", "enables"), ("RES-02", "trees", "enables"),
        ("arrivals", "modal", "increases"), ("routes", "modal", "increases"),
        ("online", "counters", "decreases"),
        ("warnings", "prepared", "increases"), ("trees", "cooler", "increases"),
        ("modal", "B01", "increases"), ("modal", "B02", "increases"), ("modal", "B03", "increases"),
        ("counters", "B03", "increases"), ("counters", "B04", "increases"), ("prepared", "B05", "increases"),
        ("cooler", "B06", "increases"), ("MOB-03", "B07", "increases"), ("trees", "B02", "increases"),
        ("B01", "O2", "part_of"), ("B02", "O1", "part_of"), ("B03", "O3", "part_of"),
        ("B04", "O3", "part_of"),
        ("B05", "O5", "part_of"), ("B06", "O5", "part_of"), ("B07", "O2", "decreases"),
    ]  # fmt: skip
    for source, target, effect in links:
        if nodes.get(source) and nodes.get(target):
            services.benefit_link_create(
                actor=None,
                from_node_id=nodes[source],
                to_node_id=nodes[target],
                effect=effect,
                confidence="medium",
            )


def _risks(by_slug: dict[str, Any], today: dt.date) -> None:
    areas = {area.code: area.pk for area in RiskArea.objects.all()}
    specs = [
        ("R01", "Vision not steering budget decisions", "D1", 2, 4, [], [], "roads"),
        ("R02", "Senior owner changes after the election", "D2", 3, 4, [], [], "mayors-office"),
        ("R03", "Online permits designed without user research", "D3", 3, 3, ["DIG-02"], ["B03"], "digital"),
        ("R04", "Consultation fatigue in riverside districts", "D4", 2, 3, ["RES-02"], [], "social"),
        ("R05", "Too few data engineers to run the platform", "D5", 4, 4, ["DAT-02"], [], "digital"),
        ("R06", "Traffic signal supplier lock-in", "D6", 3, 5, ["MOB-02"], ["B01"], "roads"),
        ("R07", "Sensor data in a proprietary format", "D7", 3, 4, ["RES-01"], ["B05"], "emergency"),
        ("R08", "Cycle network delayed by utility works", "D8", 4, 3, ["MOB-03"], ["B07"], "roads"),
        ("R09", "Counter savings not reallocated", "D9", 3, 3, ["DIG-01"], ["B04"], "finance"),
        ("R10", "Flood sensors vandalised", "D8", 2, 4, ["RES-01"], ["B05"], "emergency"),
        ("R11", "Tree planting fails in dry summers", "D8", 3, 3, ["RES-02"], ["B06"], "parks"),
        ("R12", "Open data releases personal data by mistake", "D7", 2, 5, ["DAT-01"], [], "open-data"),
        ("R13", "Bus data feed outages", "D7", 3, 2, ["MOB-01"], ["B03"], "roads"),
        ("R14", "Digital exclusion of older residents", "D3", 3, 4, ["DIG-03"], ["B03"], "social"),
        ("R15", "Energy prices erase lighting savings", "D9", 2, 2, [], ["B02"], "public-works"),
    ]
    projects = {project.code: project.pk for project in Project.objects.all()}
    benefits = {benefit.code: benefit.pk for benefit in Benefit.objects.all()}
    principles = {p.code: p.pk for p in DeliveryPrinciple.objects.all()}
    for index, (code, title, area, likelihood, impact, project_codes, benefit_codes, department) in enumerate(
        specs
    ):
        if Risk.objects.filter(code=code).exists():
            continue
        services.risk_create(
            actor=None,
            code=code,
            title=title,
            area_id=areas.get(area),
            likelihood=likelihood,
            impact=impact,
            owner_department_id=by_slug.get(department),
            mitigation="Owner reviews monthly; escalated to the Smart City Board when the score rises.",
            raised_on=today - dt.timedelta(days=400 - index * 10),
            # Every third risk's review has fallen due, so the overdue list has something to show.
            next_review_due=today + dt.timedelta(days=-15 if index % 3 == 0 else 45 + index),
            project_ids=[projects[p] for p in project_codes if p in projects],
            benefit_ids=[benefits[b] for b in benefit_codes if b in benefits],
            principle_ids=[principles["A9"]] if area in {"D6", "D7"} and "A9" in principles else [],
        )
    if not ChecklistReview.objects.exists():
        for code in ["D1", "D2", "D3", "D4", "D5", "D6"]:
            if code in areas:
                services.checklist_review_record(
                    actor=None,
                    area_id=areas[code],
                    rag="green" if code in {"D1", "D2", "D4"} else "amber",
                    findings="Reviewed by the Smart City Board with the programme office.",
                    reviewed_on=today - dt.timedelta(days=30 if code != "D6" else 120),
                )


def _architecture(by_slug: dict[str, Any]) -> None:
    if not InteroperabilityDomain.objects.exists():
        domains = {
            name: services.interoperability_domain_create(actor=None, name=name, order=order).pk
            for order, name in enumerate(
                ["Mobility", "Environment sensors", "Resident services", "Emergency management"], start=1
            )
        }
        cells = [
            ("technical", "Mobility", "adopted", "", "GTFS and GTFS-Realtime"),
            ("semantic", "Mobility", "adopting", "Stop names differ between "
                "operators.", "Transmodel / NeTEx"),
            ("technical", "Environment sensors", "adopted", "", "OGC SensorThings API"),
            ("semantic", "Environment sensors", "barrier", "Each vendor names pollutants differently.", ""),
            ("organisational", "Resident services", "standard_chosen", "", "Open311 GeoReport v2"),
            ("legal", "Resident services", "adopting", "Data-sharing agreements per "
                "department.", "GDPR data-sharing code"),
            ("technical", "Emergency management", "adopted", "", "OASIS CAP 1.2"),
            ("organisational", "Emergency management", "barrier", "No shared incident log with the "
                "region.", ""),
        ]  # fmt: skip
        for layer, domain, status, barrier, standard in cells:
            services.interoperability_cell_set(
                actor=None,
                layer=layer,
                domain_id=domains[domain],
                status=status,
                barrier=barrier,
                standard=standard,
            )
    if not Term.objects.exists():
        for label, definition, concept in [
            ("Resident", "A person who lives in Aldermere.", "PERSON"),
            ("District", "One of the six named areas of the city.", "PLACE"),
            ("Service request", "A resident's report of a problem the city should fix.", "CASE"),
            ("City service", "Something the city does for residents, such as waste collection.", "SERVICE"),
            ("Indicator", "A measure the city tracks over time, such as PM2.5.", "METRIC"),
            ("Reading", "One value measured by a sensor at a time and place.", "OBSERVATION"),
            ("Target", "The value an indicator or benefit should reach by a date.", "TARGET"),
            ("Decision", "What a city body decided, with its date and vote.", "DECISION"),
        ]:
            services.term_create(actor=None, label=label, definition=definition, sccm_concept=concept)
    if not ItSystem.objects.exists():
        supplier = Supplier.objects.filter(name="Riverline Systems").first() or services.supplier_create(
            actor=None,
            name="Riverline Systems",
            identifier_scheme="XI-EORI",
            identifier="XI000123",
            country="DE",
        )
        systems = {}
        for name, capability, department, hosting in [
            ("Cityhall", "Resident front door", "digital", "on_premises"),
            ("PermitPro", "Permit case management", "planning", "saas"),
            ("StreetWorks Manager", "Permit case management", "roads", "on_premises"),
            ("RiverWatch", "Sensor data platform", "emergency", "cloud"),
            ("Ledger", "Finance and procurement", "finance", "saas"),
        ]:
            systems[name] = services.it_system_create(
                actor=None,
                name=name,
                capability=capability,
                department_id=by_slug.get(department),
                hosting=hosting,
                supplier_id=supplier.pk if name == "RiverWatch" else None,
            ).pk
        for name, classification, sharing, personal, system, department in [
            ("Bus stop locations", "public", "open", False, None, "roads"),
            ("River levels", "public", "open", False, "RiverWatch", "emergency"),
            ("Permit applications", "confidential", "closed", True, "PermitPro", "planning"),
            ("Street works register", "internal", "shared", False, "StreetWorks Manager", "roads"),
            ("Resident accounts", "restricted", "closed", True, "Cityhall", "digital"),
        ]:
            services.data_asset_create(
                actor=None,
                name=name,
                classification=classification,
                sharing=sharing,
                contains_personal_data=personal,
                system_id=systems.get(system) if system else None,
                department_id=by_slug.get(department),
                quality=4,
                catalog_datasets=[f"aldermere-{name.lower().replace(' ', '-')}"] if sharing == "open" else [],
            )
        services.api_service_create(
            actor=None,
            name="Regional transit feed",
            base_url="https://transit.region.example/gtfs-rt",
            standards="GTFS-Realtime",
            used_by_ids=[by_slug[slug] for slug in ("roads", "digital") if slug in by_slug],
        )
    services.api_registry_sync(actor=None)


def _procurement(by_slug: dict[str, Any], today: dt.date) -> None:
    if ProcurementNeed.objects.exists():
        return
    supplier_specs: list[tuple[str, dict[str, Any]]] = [
        ("Signalwise Ltd", {"identifier_scheme": "GB-COH", "identifier": "09876543", "country": "GB"}),
        ("Open Transit Data Co-op", {"country": "NL", "is_sme": True}),
    ]
    suppliers = {
        name: (
            Supplier.objects.filter(name=name).first()
            or services.supplier_create(actor=None, name=name, **extra)
        ).pk
        for name, extra in supplier_specs
    }
    projects = {project.code: project.pk for project in Project.objects.all()}
    adopted = list(DeliveryPrinciple.objects.filter(adoption__isnull=False))
    signals = services.procurement_need_create(
        actor=None,
        reference="PN-" + str(today.year - 2) + "-001",
        title="Adaptive traffic signal control",
        category="goods",
        outcomes_sought="Shorter bus journeys and safer junctions, with open interfaces to the city "
        "data platform.",
        department_ids=[by_slug[s] for s in ("roads", "digital") if s in by_slug],
        project_id=projects.get("MOB-02"),
        estimated_value=Decimal("2400000"),
        needed_by=today - dt.timedelta(days=300),
    )
    transit = services.procurement_need_create(
        actor=None,
        reference="PN-" + str(today.year - 2) + "-002",
        title="Real-time passenger information feed",
        category="services",
        outcomes_sought="Live arrival times published as open data in GTFS-Realtime.",
        department_ids=[by_slug[s] for s in ("roads", "open-data") if s in by_slug],
        project_id=projects.get("MOB-01"),
        estimated_value=Decimal("350000"),
    )
    services.procurement_need_create(
        actor=None,
        reference="PN-" + str(today.year) + "-003",
        title="Tree planting and watering sensors",
        category="works",
        outcomes_sought="Street trees that survive dry summers; soil data shared openly.",
        department_ids=[by_slug[s] for s in ("parks", "environment") if s in by_slug],
        project_id=projects.get("RES-02"),
        estimated_value=Decimal("900000"),
    )
    for need in (signals, transit):
        for principle in adopted:
            services.principle_assess(
                actor=None,
                principle_id=principle.pk,
                procurement_need_id=need.pk,
                score=2,
                rationale="Assessed by the programme office before going to tender.",
            )
        services.procurement_need_set_status(actor=None, need_id=need.pk, status="planned")
        services.procurement_need_set_status(actor=None, need_id=need.pk, status="tendering")
    answers = {
        "signals": [("open_data", "met"), ("open_standards", "partly_met"), ("exit_and_lock_in", "not_met"),
                    ("intellectual_property", "met")],
        "transit": [("open_data", "met"), ("open_standards", "met"), ("exit_and_lock_in", "met"),
                    ("intellectual_property", "met")],
    }  # fmt: skip
    for key, need, supplier, reference, value in [
        ("signals", signals, "Signalwise Ltd", "C-" + str(today.year - 2) + "-014", "2250000"),
        ("transit", transit, "Open Transit Data Co-op", "C-" + str(today.year - 2) + "-015", "310000"),
    ]:
        if Contract.objects.filter(reference=reference).exists():
            continue
        contract = services.contract_create(
            actor=None,
            need_id=need.pk,
            supplier_id=suppliers[supplier],
            reference=reference,
            title=need.title,
            value=Decimal(value),
            signed_on=today - dt.timedelta(days=420),
            starts_on=today - dt.timedelta(days=400),
            ends_on=today + dt.timedelta(days=800),
        )
        for item, status in answers[key]:
            services.contract_check_clause(
                actor=None, contract_id=contract.pk, item=item, status=status, evidence="Contract schedule 7."
            )
        services.contract_set_status(actor=None, contract_id=contract.pk, status="active")


def _stakeholders(today: dt.date) -> None:
    if Stakeholder.objects.exists():
        return
    created = {}
    for name, kind, group, interest, influence in [
        ("Riverside Residents' Association", "resident_group", "residents", 5, 3),
        ("Aldermere Chamber of Commerce", "business", "businesses", 4, 4),
        ("Aldermere University", "academia", "city_organisations", 4, 3),
        ("Regional Transport Authority", "public_agency", "city_organisations", 4, 5),
        ("Cycling Aldermere", "community_organisation", "residents", 5, 2),
        ("Older People's Forum", "community_organisation", "residents", 4, 2),
        ("Visit Aldermere", "business", "visitors", 3, 2),
        ("Open Data Meetup", "community_organisation", "businesses", 5, 1),
    ]:
        created[name] = services.stakeholder_create(
            actor=None, name=name, kind=kind, group=group, interest=interest, influence=influence
        ).pk
    if not EngagementActivity.objects.exists():
        programmes = {programme.code: programme.pk for programme in Programme.objects.all()}
        services.engagement_activity_create(
            actor=None,
            title="Vision 2035 district workshops",
            method="workshop",
            held_on=dt.date(today.year - 3, 2, 10),
            stakeholder_ids=[created["Riverside Residents' Association"], created["Older People's Forum"]],
            consultation_reference="Consultation “Aldermere 2035”",
            participants=412,
            summary="Residents asked for safer cycling and for help with online services.",
            response="Protected cycle routes and assisted digital help points were added to the roadmap.",
        )
        services.engagement_activity_create(
            actor=None,
            title="Open data hackathon",
            method="hackathon",
            held_on=dt.date(today.year - 2, 10, 5),
            stakeholder_ids=[created["Open Data Meetup"], created["Aldermere University"]],
            programme_id=programmes.get("P4"),
            participants=86,
            summary="Teams built bus-delay and flood-risk apps on the city's data.",
            response="The river level feed now updates every five minutes, as the teams asked.",
        )
        services.engagement_activity_create(
            actor=None,
            title="Cycle network route survey",
            method="survey",
            held_on=today - dt.timedelta(days=90),
            stakeholder_ids=[created["Cycling Aldermere"]],
            programme_id=programmes.get("P1"),
            consultation_reference="Consultation “Where should the next cycle routes go?”",
            participants=1930,
            summary="Most asked for a riverside route first.",
        )


def _maturity(today: dt.date) -> None:
    if MaturityAssessment.objects.exists():
        return
    for years_ago, levels in ((3, (2, 2, 1, 2, 1)), (1, (3, 3, 2, 3, 2))):
        for dimension, level in zip(
            ("strategy", "ict_infrastructure", "data", "services_and_applications", "assessments"),
            levels,
            strict=True,
        ):
            services.maturity_assess(
                actor=None,
                dimension=dimension,
                level=level,
                assessed_on=dt.date(today.year - years_ago, 11, 1),
                evidence="Self-assessment by the programme office against the U4SSC maturity model.",
            )
