"""City indicators: values in the right unit and period, CSV imports all or nothing, summaries, targets,
verification, and the open-data export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.core.errors import ServiceError
from cityhall.core.models import AuditEvent, District
from cityhall.operating import services
from cityhall.operating.csvio import CsvImportError
from cityhall.operating.models import IndicatorSummary, IndicatorValue
from cityhall.operating.scoring import maturity_level
from tests.operating.conftest import configured_kpi, kpi, last_year

pytestmark = pytest.mark.django_db


def test_a_value_is_recorded_and_the_summary_follows(reference: None) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    year = last_year()
    services.indicator_value_record(
        actor=None, indicator_id=indicator.pk, period=str(year - 1), value=80, unit="%"
    )
    services.indicator_value_record(
        actor=None, indicator_id=indicator.pk, period=str(year), value=84.5, unit="percent"
    )
    summary = IndicatorSummary.objects.get(indicator=indicator)
    assert (summary.latest_period, summary.latest_value, summary.previous_value) == (str(year), 84.5, 80)
    assert summary.series == [[str(year - 1), 80.0], [str(year), 84.5]]
    assert summary.value_count == 2


def test_a_value_in_the_wrong_unit_is_refused(reference: None) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    with pytest.raises(
        ServiceError, match=r"in “households”, but EC:ICT:ICT:1C is measured in “%”; convert it"
    ):
        services.indicator_value_record(
            actor=None, indicator_id=indicator.pk, period=str(last_year()), value=80, unit="households"
        )
    assert not IndicatorValue.objects.exists()


def test_a_value_for_a_period_of_the_wrong_length_is_refused(reference: None) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    with pytest.raises(ServiceError, match="is monthly, but EC:ICT:ICT:1C is measured yearly"):
        services.indicator_value_record(
            actor=None, indicator_id=indicator.pk, period=f"{last_year()}-03", value=80, unit="%"
        )
    assert not IndicatorValue.objects.exists()


def test_an_indicator_without_a_unit_takes_no_values(reference: None) -> None:
    with pytest.raises(ServiceError, match="has no unit yet"):
        services.indicator_value_record(
            actor=None, indicator_id=kpi("EC:ICT:ICT:2C").pk, period=str(last_year()), value=1, unit="%"
        )


def test_the_unit_is_locked_once_values_exist(reference: None) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    services.indicator_value_record(
        actor=None, indicator_id=indicator.pk, period=str(last_year()), value=80, unit="%"
    )
    with pytest.raises(ServiceError, match="its unit cannot change"):
        services.indicator_configure(actor=None, indicator_id=indicator.pk, unit="households")


def test_recording_a_period_again_corrects_it(reference: None) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    period = str(last_year())
    services.indicator_value_record(actor=None, indicator_id=indicator.pk, period=period, value=80, unit="%")
    services.indicator_value_record(actor=None, indicator_id=indicator.pk, period=period, value=81, unit="%")
    assert list(IndicatorValue.objects.values_list("value", flat=True)) == [81.0]
    assert AuditEvent.objects.filter(action="operating.indicator_value.correct").count() == 1


def csv_text(*rows: str, header: str = "code,part,period,value,unit,district,source_name") -> str:
    return "\n".join([header, *rows]) + "\n"


def test_a_csv_import_writes_every_row(reference: None) -> None:
    configured_kpi("EC:ICT:ICT:1C")
    configured_kpi("EN:EN:AQ:1C", "PM 2.5", unit="µg/m³", higher_is_better=False)
    District.objects.create(
        slug="old-town",
        name="Old Town",
        boundary={},
        min_latitude=0,
        min_longitude=0,
        max_latitude=1,
        max_longitude=1,
    )
    year = last_year()
    report = services.indicator_values_import(
        actor=None,
        text=csv_text(
            f"EC:ICT:ICT:1C,,{year - 1},80,%,,Statistics office",
            f"EC:ICT:ICT:1C,,{year},82,%,,Statistics office",
            f"EN:EN:AQ:1C,PM 2.5,{year},9.8,µg/m³,,",
            f"EN:EN:AQ:1C,PM 2.5,{year},11.2,µg/m³,old-town,",
        ),
        file_name="values.csv",
    )
    assert (report.rows, report.created, report.replaced, report.indicators) == (4, 4, 0, 2)
    assert IndicatorValue.objects.filter(district__slug="old-town").get().value == 11.2
    assert IndicatorSummary.objects.get(indicator=kpi("EN:EN:AQ:1C", "PM 2.5")).latest_value == 9.8
    event = AuditEvent.objects.get(action="operating.indicator_value.import")
    assert (event.data["file"], event.data["rows"]) == ("values.csv", 4)


def test_a_csv_import_with_bad_rows_names_each_and_imports_nothing(reference: None) -> None:
    configured_kpi("EC:ICT:ICT:1C")
    configured_kpi("EN:EN:AQ:1C", "PM 2.5", unit="µg/m³")
    year = last_year()
    text = csv_text(
        f"EC:ICT:ICT:1C,,{year - 1},80,%,,",
        f"EC:ICT:ICT:1C,,{year}-03,82,%,,",
        f"EN:EN:AQ:1C,PM 2.5,{year},9.8,ppm,,",
        f"EN:EN:AQ:1C,,{year},9.8,µg/m³,,",
        f"XX:YY,,{year},1,%,,",
        f"EC:ICT:ICT:1C,,{year - 2},eighty,%,,",
        f"EC:ICT:ICT:1C,,{year - 1},81,%,,",
        f"EN:EN:AQ:1C,PM 2.5,{year - 1},9.8,µg/m³,nowhere,",
    )
    with pytest.raises(CsvImportError) as raised:
        services.indicator_values_import(actor=None, text=text)
    rows = dict(raised.value.row_errors)
    assert sorted(rows) == [3, 4, 5, 6, 7, 8, 9]
    assert "monthly" in rows[3]
    assert "“ppm”" in rows[4]
    assert "say which one in the part column" in rows[5]
    assert "no indicator with the code “XX:YY”" in rows[6]
    assert "not a number" in rows[7]
    assert rows[8] == "repeats the value of row 2"
    assert "no district “nowhere”" in rows[9]
    assert not IndicatorValue.objects.exists()
    assert not AuditEvent.objects.filter(action="operating.indicator_value.import").exists()


def test_an_import_without_permission_for_one_indicator_imports_nothing(
    reference: None, make_user: Callable[..., Any]
) -> None:
    from cityhall.accounts.contracts import Role
    from tests.factories import DepartmentFactory

    digital, roads = DepartmentFactory(slug="digital"), DepartmentFactory(slug="roads")
    configured_kpi("EC:ICT:ICT:1C", responsible_department_id=digital.pk)
    configured_kpi("EC:ICT:T:1C", responsible_department_id=roads.pk)
    publisher = make_user(Role.DATA_PUBLISHER, department=digital)
    year = last_year()
    with pytest.raises(ServiceError, match="cannot record values for EC:ICT:T:1C"):
        services.indicator_values_import(
            actor=publisher, text=csv_text(f"EC:ICT:ICT:1C,,{year},80,%,,", f"EC:ICT:T:1C,,{year},40,%,,")
        )
    assert not IndicatorValue.objects.exists()
    services.indicator_values_import(actor=publisher, text=csv_text(f"EC:ICT:ICT:1C,,{year},80,%,,"))
    assert IndicatorValue.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("code,period,value,unit\n", "no data rows"),
        ("code,period,value\nX,2024,1\n", "lacks the column(s) unit"),
        ("code,period,value,unit,colour\nX,2024,1,%,red\n", "unknown column(s) colour"),
    ],
)
def test_a_file_that_is_not_the_expected_table_is_explained(reference: None, text: str, message: str) -> None:
    with pytest.raises(ServiceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        services.indicator_values_import(actor=None, text=text)


def test_rejected_values_leave_the_summary_and_the_export(reference: None, office: Any) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    year = last_year()
    services.indicator_value_record(
        actor=None, indicator_id=indicator.pk, period=str(year - 1), value=80, unit="%"
    )
    wrong = services.indicator_value_record(
        actor=None, indicator_id=indicator.pk, period=str(year), value=8, unit="%"
    )
    services.indicator_value_verify(actor=office, value_id=wrong.pk, verification="rejected")
    summary = IndicatorSummary.objects.get(indicator=indicator)
    assert (summary.latest_period, summary.latest_value) == (str(year - 1), 80)
    body = b"".join(Client().get("/city/data/indicator-values.csv").streaming_content).decode()
    assert ",8.0," not in body and ",80.0," in body


def test_verification_records_who_and_when(reference: None, office: Any) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    value = services.indicator_value_record(
        actor=None, indicator_id=indicator.pk, period=str(last_year()), value=80, unit="%"
    )
    verified = services.indicator_value_verify(
        actor=office, value_id=value.pk, verification="independently_verified"
    )
    assert verified.verified_by == office and verified.verified_at is not None


def test_targets_carry_the_y4904_bands_in_the_better_direction(reference: None) -> None:
    rising = configured_kpi("EC:ICT:ICT:1C")
    target = services.indicator_target_set(
        actor=None, indicator_id=rising.pk, target_value=95, target_year=2030, level_bands=[30, 50, 70, 90]
    )
    assert maturity_level(None, target, higher_is_better=True) is None
    assert maturity_level(20, target, higher_is_better=True) == 1
    assert maturity_level(55, target, higher_is_better=True) == 3
    assert maturity_level(92, target, higher_is_better=True) == 5
    falling = configured_kpi("EN:EN:AQ:1C", "PM 2.5", unit="µg/m³", higher_is_better=False)
    with pytest.raises(ServiceError, match="direction that is better"):
        services.indicator_target_set(
            actor=None, indicator_id=falling.pk, target_value=8, target_year=2030, level_bands=[10, 15]
        )
    lower = services.indicator_target_set(
        actor=None, indicator_id=falling.pk, target_value=8, target_year=2030, level_bands=[20, 15, 10, 8]
    )
    assert maturity_level(12, lower, higher_is_better=False) == 3


def test_the_csv_export_keeps_numbers_and_defuses_formulas(reference: None) -> None:
    indicator = services.indicator_create(actor=None, code="L1", name='=HYPERLINK("http://evil")', unit="%")
    services.indicator_value_record(
        actor=None,
        indicator_id=indicator.pk,
        period=str(last_year()),
        value=-3.5,
        unit="%",
        source_name="+cmd|' /C calc'!A0",
    )
    response = Client().get("/city/data/indicator-values.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["indicator"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["source_name"] == "'+cmd|' /C calc'!A0"
    assert rows[0]["value"] == "-3.5"


def test_the_json_export_is_one_document_of_every_value(reference: None) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    services.indicator_value_record(
        actor=None, indicator_id=indicator.pk, period=str(last_year()), value=80, unit="%"
    )
    response = Client().get("/city/data/indicator-values.json")
    document = json.loads(b"".join(response.streaming_content))
    assert document["values"] == [
        {
            "framework": "u4ssc",
            "code": "EC:ICT:ICT:1C",
            "part": "",
            "indicator": "Household Internet Access",
            "district": "",
            "period": str(last_year()),
            "period_start": f"{last_year()}-01-01",
            "period_end": f"{last_year()}-12-31",
            "value": 80.0,
            "unit": "%",
            "verification": "unverified",
            "source_name": "",
            "source_url": "",
        }
    ]


def test_the_import_command_reports_bad_rows(reference: None, tmp_path: Any) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    configured_kpi("EC:ICT:ICT:1C")
    path = tmp_path / "values.csv"
    path.write_text(csv_text(f"EC:ICT:ICT:1C,,{last_year()},80,km,,"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"row 2: the value is in “km”"):
        call_command("operating", "import-values", str(path))
