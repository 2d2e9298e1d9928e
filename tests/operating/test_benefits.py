"""Component C: the benefit map stays acyclic and typed; benefits are measured in their unit and period
against a trajectory; imports are all or nothing; reviews and delivery actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cityhall.core.errors import ServiceError
from cityhall.operating import charts, services
from cityhall.operating.csvio import CsvImportError
from cityhall.operating.models import (
    Benefit,
    BenefitLink,
    BenefitMapNode,
    BenefitMeasurement,
    ProgressStatus,
)
from cityhall.operating.scoring import planned_value_on, progress_of
from cityhall.operating.selectors.benefits import benefit_map, map_column_titles
from tests.operating.conftest import configured_kpi, last_year

pytestmark = pytest.mark.django_db


def node(kind: str, label: str) -> BenefitMapNode:
    return services.benefit_map_node_create(actor=None, kind=kind, label=label)


# --- The benefit map -----------------------------------------------------------------------


def test_a_link_that_would_make_a_loop_is_refused_and_names_the_loop(db: Any) -> None:
    first, second, third = (
        node("outcome", "Fewer car trips"),
        node("outcome", "Quieter streets"),
        node("outcome", "More walking"),
    )
    services.benefit_link_create(actor=None, from_node_id=first.pk, to_node_id=second.pk, effect="increases")
    services.benefit_link_create(actor=None, from_node_id=second.pk, to_node_id=third.pk, effect="increases")
    with pytest.raises(ServiceError) as raised:
        services.benefit_link_create(
            actor=None, from_node_id=third.pk, to_node_id=first.pk, effect="increases"
        )
    assert raised.value.code == "cycle"
    assert "More walking → Fewer car trips → Quieter streets → More walking" in raised.value.message
    assert BenefitLink.objects.count() == 2


def test_a_link_goes_left_to_right(make_benefit: Callable[..., Benefit]) -> None:
    benefit = make_benefit(title="Time saved")
    output = node("output", "Online permits")
    with pytest.raises(
        ServiceError, match=r"“Time saved” \(benefit\) cannot lead to “Online permits” \(output or change\)"
    ):
        services.benefit_link_create(
            actor=None, from_node_id=benefit.map_node.pk, to_node_id=output.pk, effect="increases"
        )


def test_a_node_never_leads_to_itself_and_a_link_is_not_repeated(db: Any) -> None:
    outcome, other = node("outcome", "A"), node("outcome", "B")
    with pytest.raises(ServiceError, match="cannot lead to itself"):
        services.benefit_link_create(
            actor=None, from_node_id=outcome.pk, to_node_id=outcome.pk, effect="enables"
        )
    services.benefit_link_create(actor=None, from_node_id=outcome.pk, to_node_id=other.pk, effect="enables")
    with pytest.raises(ServiceError, match="already leads to"):
        services.benefit_link_create(
            actor=None, from_node_id=outcome.pk, to_node_id=other.pk, effect="part_of"
        )


def test_an_edge_needs_a_known_effect(db: Any) -> None:
    source, target = node("output", "A"), node("outcome", "B")
    with pytest.raises(ServiceError, match="Effect"):
        services.benefit_link_create(actor=None, from_node_id=source.pk, to_node_id=target.pk, effect="helps")


def test_projects_and_objectives_appear_once_on_the_map(
    make_project: Callable[..., Any], reference: None
) -> None:
    project = make_project()
    objective = services.objective_create(actor=None, code="O1", title="Halve emissions")
    first = services.benefit_map_node_create(actor=None, kind="project", project_id=project.pk)
    again = services.benefit_map_node_create(actor=None, kind="project", project_id=project.pk)
    assert first.pk == again.pk and first.label == project.title
    on_map = services.benefit_map_node_create(actor=None, kind="objective", objective_id=objective.pk)
    assert on_map.objective == objective
    with pytest.raises(ServiceError, match="appear on the map by themselves"):
        services.benefit_map_node_create(actor=None, kind="benefit", label="x")


def test_the_map_is_drawn_in_columns_with_typed_arrows(make_benefit: Callable[..., Benefit]) -> None:
    benefit = make_benefit(title="Cleaner air")
    output, outcome = node("output", "Electric buses"), node("outcome", "Fewer emissions")
    services.benefit_link_create(
        actor=None, from_node_id=output.pk, to_node_id=outcome.pk, effect="decreases"
    )
    services.benefit_link_create(
        actor=None, from_node_id=outcome.pk, to_node_id=benefit.map_node.pk, effect="increases"
    )
    drawn = benefit_map()
    columns = {placed.label: placed.column for placed in drawn.placed}
    assert columns == {"Cleaner air": 3, "Electric buses": 1, "Fewer emissions": 2}
    svg = charts.benefit_map(
        chart_id="map",
        title="Map",
        desc="d",
        nodes=drawn.placed,
        links=drawn.drawn_links,
        column_titles=map_column_titles(),
    )
    assert 'class="map-link effect-decreases"' in svg and 'stroke-dasharray="6 3"' in svg
    assert "<title>Electric buses decreases Fewer emissions</title>" in svg
    assert 'role="img"' in svg and "style=" not in svg


# --- Benefit records -----------------------------------------------------------------------


def test_a_target_without_a_dated_baseline_is_refused(db: Any) -> None:
    with pytest.raises(
        ServiceError, match="A target needs a baseline value, a baseline date and a target date"
    ):
        services.benefit_create(
            actor=None,
            code="B1",
            title="T",
            kind="social",
            stakeholder_group="residents",
            measure="m",
            unit="h",
            target_value=10,
            target_date=dt.date(2030, 1, 1),
        )


def test_a_benefit_cannot_be_computed_from_the_catalog_yet(db: Any) -> None:
    with pytest.raises(ServiceError, match="data catalog is not part of this installation yet"):
        services.benefit_create(
            actor=None,
            code="B1",
            title="T",
            kind="social",
            stakeholder_group="residents",
            measure="m",
            unit="h",
            computed_from="datastore",
        )


def test_a_measurement_in_the_wrong_unit_is_refused(make_benefit: Callable[..., Benefit]) -> None:
    benefit = make_benefit(unit="hours")
    with pytest.raises(ServiceError, match=r"in “minutes”, but benefit B01 is measured in “hours”"):
        services.benefit_measurement_record(
            actor=None, benefit_id=benefit.pk, period=str(last_year()), value=90, unit="minutes"
        )
    assert not BenefitMeasurement.objects.exists()


def test_a_measurement_for_the_wrong_period_is_refused(make_benefit: Callable[..., Benefit]) -> None:
    benefit = make_benefit(frequency="quarterly")
    with pytest.raises(
        ServiceError, match=r"is yearly, but benefit B01 is measured quarterly: write the period like 2024-Q2"
    ):
        services.benefit_measurement_record(
            actor=None, benefit_id=benefit.pk, period=str(last_year()), value=1, unit="hours"
        )
    with pytest.raises(ServiceError, match="ends before the baseline date"):
        services.benefit_measurement_record(
            actor=None, benefit_id=benefit.pk, period=f"{last_year() - 10}-Q1", value=1, unit="hours"
        )
    assert not BenefitMeasurement.objects.exists()


def test_measurements_keep_the_progress_against_the_trajectory(
    make_benefit: Callable[..., Benefit], today: dt.date
) -> None:
    benefit = make_benefit(baseline_value=0, target_value=10)
    year = last_year()
    services.benefit_measurement_record(
        actor=None, benefit_id=benefit.pk, period=str(year), value=9, unit="hours"
    )
    benefit.refresh_from_db()
    assert (benefit.latest_period, benefit.latest_value, benefit.progress) == (
        str(year),
        9,
        ProgressStatus.ON_TRACK,
    )
    services.benefit_trajectory_set(actor=None, benefit_id=benefit.pk, points=[(dt.date(year, 12, 31), 9.5)])
    benefit.refresh_from_db()
    assert benefit.progress == ProgressStatus.AT_RISK
    services.benefit_measurement_record(
        actor=None, benefit_id=benefit.pk, period=str(year), value=2, unit="hours"
    )
    benefit.refresh_from_db()
    assert benefit.progress == ProgressStatus.OFF_TRACK


def test_progress_follows_the_better_direction() -> None:
    falling = Benefit(
        baseline_value=100,
        baseline_date=dt.date(2020, 1, 1),
        target_value=50,
        target_date=dt.date(2030, 1, 1),
        higher_is_better=False,
    )
    halfway = dt.date(2025, 1, 1)
    assert round(planned_value_on(falling, halfway, []) or 0) == 75
    assert progress_of(falling, 70, halfway, []) == ProgressStatus.ON_TRACK
    assert progress_of(falling, 78, halfway, []) == ProgressStatus.AT_RISK
    assert progress_of(falling, 95, halfway, []) == ProgressStatus.OFF_TRACK
    assert progress_of(falling, 49, halfway, []) == ProgressStatus.ACHIEVED
    assert progress_of(falling, None, None, []) == ProgressStatus.NO_DATA
    assert progress_of(Benefit(higher_is_better=True), 3, halfway, []) == ProgressStatus.NO_TARGET


def test_a_trajectory_stays_between_baseline_and_target(make_benefit: Callable[..., Benefit]) -> None:
    benefit = make_benefit()
    with pytest.raises(ServiceError, match="after the baseline"):
        services.benefit_trajectory_set(actor=None, benefit_id=benefit.pk, points=[(dt.date(1999, 1, 1), 1)])


def test_a_measurement_csv_with_bad_rows_names_them_and_imports_nothing(
    make_benefit: Callable[..., Benefit],
) -> None:
    benefit = make_benefit(unit="hours")
    year = last_year()
    text = (
        "period,value,unit,evidence\n"
        f"{year - 1},2,hours,survey\n"
        f"{year}-05,3,hours,\n"
        f"{year},three,hours,\n"
        f"{year},3,days,\n"
        f"{year - 1},2.5,hours,\n"
        f"{year + 5},3,hours,\n"
    )
    with pytest.raises(CsvImportError) as raised:
        services.benefit_measurements_import(actor=None, benefit_id=benefit.pk, text=text, file_name="m.csv")
    rows = dict(raised.value.row_errors)
    assert sorted(rows) == [3, 4, 5, 6, 7]
    assert "monthly" in rows[3]
    assert "not a number" in rows[4]
    assert "“days”" in rows[5]
    assert rows[6] == "repeats the period of row 2"
    assert "has not started yet" in rows[7]
    assert "Row 3:" in raised.value.message and "nothing was imported" in raised.value.message
    assert not BenefitMeasurement.objects.exists()


def test_a_good_measurement_csv_is_imported_whole(make_benefit: Callable[..., Benefit]) -> None:
    benefit = make_benefit(unit="hours")
    year = last_year()
    report = services.benefit_measurements_import(
        actor=None,
        benefit_id=benefit.pk,
        text=f"period,value,unit\n{year - 1},2,hours\n{year},3,hours\n",
        file_name="m.csv",
    )
    assert (report.rows, report.created) == (2, 2)
    benefit.refresh_from_db()
    assert benefit.latest_value == 3
    assert set(benefit.measurements.values_list("source", flat=True)) == {"csv"}


def test_a_benefit_computed_from_an_indicator_follows_it_after_commit(
    reference: None, run_tasks: Callable[[], None], django_capture_on_commit_callbacks: Any
) -> None:
    indicator = configured_kpi("EN:EN:AQ:1C", "PM 2.5", unit="µg/m³", higher_is_better=False)
    year = last_year()
    benefit = services.benefit_create(
        actor=None,
        code="B1",
        title="Cleaner air",
        kind="environmental",
        stakeholder_group="residents",
        measure="PM2.5",
        unit="µg/m³",
        indicator_id=indicator.pk,
        computed_from="indicator",
        higher_is_better=False,
        baseline_value=14,
        baseline_date=dt.date(year - 3, 1, 1),
        target_value=8,
        target_date=dt.date(year + 5, 1, 1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.indicator_value_record(
            actor=None, indicator_id=indicator.pk, period=str(year), value=11, unit="µg/m³"
        )
    run_tasks()
    benefit.refresh_from_db()
    assert list(benefit.measurements.values_list("period", "value", "source")) == [
        (str(year), 11.0, "indicator")
    ]
    assert benefit.latest_value == 11
    with pytest.raises(ServiceError, match="computed from its indicator"):
        services.benefit_measurement_record(
            actor=None, benefit_id=benefit.pk, period=str(year), value=1, unit="µg/m³"
        )
    # Running the sync again changes nothing.
    assert services.benefit_sync_from_indicator(benefit=benefit) == 0


def test_computing_from_an_indicator_needs_the_same_unit(reference: None) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    with pytest.raises(ServiceError, match="must be the same"):
        services.benefit_create(
            actor=None,
            code="B1",
            title="T",
            kind="social",
            stakeholder_group="residents",
            measure="m",
            unit="households",
            indicator_id=indicator.pk,
            computed_from="indicator",
        )


def test_reviews_and_delivery_actions_have_owners(
    make_benefit: Callable[..., Benefit], today: dt.date, office: Any
) -> None:
    benefit = make_benefit()
    review = services.checkpoint_review_record(
        actor=office,
        benefit_id=benefit.pk,
        reviewer_name="Audit office",
        is_independent=True,
        rag="amber",
        findings="Take-up lags.",
        next_review_due=today + dt.timedelta(days=90),
    )
    with pytest.raises(ServiceError, match="Say who owns the action"):
        services.delivery_action_create(actor=office, benefit_id=benefit.pk, title="Switch off paper forms")
    action = services.delivery_action_create(
        actor=office,
        benefit_id=benefit.pk,
        review_id=review.pk,
        title="Switch off paper forms",
        kind="legacy_switch_off",
        owner_id=office.pk,
    )
    done = services.delivery_action_set_status(actor=office, action_id=action.pk, status="done")
    assert done.completed_on == today
    with pytest.raises(ServiceError, match="one benefit, one project or one programme"):
        services.checkpoint_review_record(actor=office, reviewer_name="x", rag="green", findings="f")
    with pytest.raises(ServiceError, match="must fall after this one"):
        services.checkpoint_review_record(
            actor=office,
            benefit_id=benefit.pk,
            reviewer_name="x",
            rag="green",
            findings="f",
            next_review_due=today - dt.timedelta(days=1),
        )
