"""The shared reference data: loaded from ../shared/standards/data, all or nothing, never vendored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cityhall.core.errors import ServiceError
from cityhall.core.models import AuditEvent
from cityhall.operating import services
from cityhall.operating.csvio import CsvImportError
from cityhall.operating.models import (
    DeliveryPrinciple,
    Indicator,
    IndicatorFramework,
    IndicatorTheme,
    RiskArea,
    SustainabilityIssue,
    SustainabilityPurpose,
)
from cityhall.operating.services.reference import ReferenceDataMissingError, reference_data_dir

pytestmark = pytest.mark.django_db
HEADER = "code,name,dimension,sub_dimension,category,level,sdg_goals,evaluation_level\n"


def test_the_reference_data_is_read_from_the_shared_folder_beside_the_repository() -> None:
    assert reference_data_dir() == Path(settings.BASE_DIR).parent / "shared" / "standards" / "data"
    assert (reference_data_dir() / "u4ssc-kpis.csv").is_file()


def test_the_seed_migration_holds_the_facts_that_are_not_in_a_csv() -> None:
    services.reference_seed()
    assert set(IndicatorFramework.objects.values_list("code", flat=True)) == {"u4ssc", "iso37120", "local"}
    themes = IndicatorTheme.objects.filter(framework__code="iso37120").order_by("order")
    assert themes.count() == 19
    assert (themes.first().name, themes.first().code) == ("Economy", "5")  # type: ignore[union-attr]
    assert (themes.last().name, themes.last().code) == ("Water", "23")  # type: ignore[union-attr]
    assert DeliveryPrinciple.objects.filter(mark="P").count() == 4
    assert DeliveryPrinciple.objects.filter(mark="R").count() == 7
    assert RiskArea.objects.count() == 9


def test_the_u4ssc_kpis_load_with_their_parts_themes_and_sdg_links() -> None:
    report = services.u4ssc_kpis_load(actor=None)
    assert (report.total, report.created) == (111, 111)
    u4ssc = Indicator.objects.filter(framework__code="u4ssc")
    assert u4ssc.values("code").distinct().count() == 91
    assert u4ssc.filter(kind="core").values("code").distinct().count() == 54
    assert u4ssc.filter(kind="advanced").values("code").distinct().count() == 37
    parts = set(u4ssc.filter(code="EN:EN:AQ:1C").values_list("part", flat=True))
    assert parts == {"PM 2.5", "PM 10", "NO2", "SO2", "O3"}
    coverage = u4ssc.get(code="EC:ICT:ICT:4C", part="4G")
    assert coverage.sdg_goals == [5, 9, 17]
    assert coverage.theme is not None
    assert (coverage.theme.code, coverage.theme.name) == ("EC:ICT:ICT", "ICT Infrastructure")
    assert coverage.theme.parent.name == "ICT"  # type: ignore[union-attr]
    assert coverage.theme.parent.parent.name == "Economy"  # type: ignore[union-attr]
    assert u4ssc.get(code="EC:ICT:ICT:1C").part == ""


def test_loading_twice_changes_nothing_and_keeps_the_citys_settings() -> None:
    services.u4ssc_kpis_load(actor=None)
    indicator = Indicator.objects.get(code="EC:ICT:ICT:1C")
    services.indicator_configure(actor=None, indicator_id=indicator.pk, unit="%", is_headline=True)
    report = services.u4ssc_kpis_load(actor=None)
    assert (report.created, report.updated) == (0, 0)
    indicator.refresh_from_db()
    assert (indicator.unit, indicator.is_headline) == ("%", True)


def test_the_iso37101_matrix_loads_six_purposes_and_twelve_issues() -> None:
    services.iso37101_matrix_load(actor=None)
    assert SustainabilityPurpose.objects.count() == 6
    assert SustainabilityIssue.objects.count() == 12
    assert SustainabilityIssue.objects.get(order=12).name == "Biodiversity and ecosystem services"
    assert AuditEvent.objects.filter(action="operating.reference.load_matrix").exists()


def test_a_missing_file_is_named_with_where_it_was_looked_for(tmp_path: Path) -> None:
    missing = tmp_path / "u4ssc-kpis.csv"
    with pytest.raises(ReferenceDataMissingError, match=r"reference data file .*u4ssc-kpis\.csv is missing"):
        services.u4ssc_kpis_load(actor=None, path=missing)
    assert not Indicator.objects.filter(framework__code="u4ssc").exists()


def test_the_missing_shared_folder_is_a_clear_error(settings: object, tmp_path: Path) -> None:
    settings.BASE_DIR = tmp_path / "repo"  # type: ignore[attr-defined]
    with pytest.raises(ReferenceDataMissingError) as raised:
        services.iso37101_matrix_load(actor=None)
    assert str(tmp_path / "shared" / "standards" / "data" / "iso37101-matrix.csv") in raised.value.message
    assert "../shared/standards/data" in raised.value.message


def test_bad_rows_are_each_named_and_nothing_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "kpis.csv"
    path.write_text(
        HEADER
        + "EC:ICT:ICT:1C,Household Internet Access,Economy,ICT,ICT Infrastructure,core,17,Output\n"
        + "EC:ICT:ICT:2X,Broken code,Economy,ICT,ICT Infrastructure,core,17,Output\n"
        + "EC:ICT:ICT:3C,Wrong level,Economy,ICT,ICT Infrastructure,advanced,17,Output\n"
        + "EN:EN:AQ:2C,Bad goal,Environment,Environment,Air Quality,core,18,Output\n",
        encoding="utf-8",
    )
    with pytest.raises(CsvImportError) as raised:
        services.u4ssc_kpis_load(actor=None, path=path)
    rows = dict(raised.value.row_errors)
    assert set(rows) == {3, 4, 5}
    assert "EC:ICT:ICT:2X" in rows[3]
    assert "ending in C is core" in rows[4]
    assert "18" in rows[5]
    assert "nothing was imported" in raised.value.message
    assert not Indicator.objects.filter(framework__code="u4ssc").exists()


def test_a_repeated_kpi_is_a_bad_row(tmp_path: Path) -> None:
    line = "EC:ICT:ICT:1C,Household Internet Access,Economy,ICT,ICT Infrastructure,core,17,Output\n"
    path = tmp_path / "kpis.csv"
    path.write_text(HEADER + line + line, encoding="utf-8")
    with pytest.raises(CsvImportError) as raised:
        services.u4ssc_kpis_load(actor=None, path=path)
    assert raised.value.row_errors == [(3, "repeats the KPI of row 2")]


def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kpis.csv"
    path.write_text("code,title\nEC:ICT:ICT:1C,x\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="lacks the column"):
        services.u4ssc_kpis_load(actor=None, path=path)


def test_the_command_loads_both_files(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("operating", "load-reference")
    out = capsys.readouterr().out
    assert "U4SSC KPIs: 111 rows" in out
    assert "ISO 37101 matrix: 18 rows" in out
    assert AuditEvent.objects.filter(action="operating.reference.load_kpis", actor="system:cli").exists()


def test_the_command_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is missing"):
        call_command("operating", "load-kpis", str(tmp_path / "nowhere.csv"))
