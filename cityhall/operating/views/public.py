"""Public pages of the operating model: what the city set out to do and how it is going.

Light, server-rendered, no JavaScript; every chart has its numbers in a table beside it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cityhall.operating import charts
from cityhall.operating.csvio import csv_lines
from cityhall.operating.models import Indicator, ProjectStatus
from cityhall.operating.selectors import (
    architecture,
    benefits,
    dashboard,
    indicators,
    procurement,
    roadmap,
    strategy,
)
from cityhall.operating.selectors.indicators import EXPORT_COLUMNS


@require_safe
def city_dashboard(request: HttpRequest) -> HttpResponse:
    page = dashboard.dashboard()
    cards = [
        (
            headline,
            charts.line_chart(
                chart_id=f"kpi-{index}",
                title=_("%(name)s, recent periods") % {"name": headline.name},
                desc=_(
                    "Values in %(unit)s; the dashed line is the target. The table beside it lists the values."
                )
                % {"unit": headline.unit or "—"},
                points=list(headline.series[-8:]),
                target=headline.target_value,
                width=300,
                height=130,
                compact=True,
            ),
        )
        for index, headline in enumerate(page.indicators, start=1)
    ]
    bars = charts.progress_bars(
        chart_id="benefit-progress",
        title=_("Progress of the city's benefits towards their targets"),
        desc=_(
            "Each bar shows how far a benefit has come from its baseline to its target. The table lists them."
        ),
        bars=[
            charts.Bar(label=f"{b.code} {b.title}", percent=b.percent, status=b.progress)
            for b in page.benefits
        ],
    )
    return render(
        request,
        "operating/dashboard.html",
        {"page": page, "cards": cards, "bars": bars},
    )


@require_safe
def vision(request: HttpRequest) -> HttpResponse:
    of = "benefits" if request.GET.get("of") == "benefits" else "objectives"
    return render(
        request,
        "operating/vision.html",
        {
            "vision": strategy.current_vision(),
            "objectives": strategy.objective_list(),
            "heat": strategy.matrix_heat_map(of=of),
            "principles": strategy.principle_register().filter(adoption__isnull=False),
            "maturity": strategy.maturity_overview(),
            "bodies": strategy.governance_bodies(),
        },
    )


@require_safe
def roadmap_page(request: HttpRequest) -> HttpResponse:
    programmes = list(roadmap.programme_list())
    today = timezone.localdate()
    chart = charts.timeline(
        chart_id="roadmap",
        title=_("The city's smart-city roadmap"),
        desc=_(
            "Programmes (bands) and their projects (bars) over time, with milestones as diamonds and "
            "dependencies as arrows; the vertical line is today. The tables below list the same."
        ),
        groups=roadmap.roadmap_groups(programmes),
        today=today,
    )
    return render(
        request,
        "operating/roadmap.html",
        {"programmes": programmes, "chart": chart, "today": today, "statuses": ProjectStatus},
    )


@require_safe
def benefit_map_page(request: HttpRequest) -> HttpResponse:
    drawn = benefits.benefit_map()
    chart = charts.benefit_map(
        chart_id="benefit-map",
        title=_("Benefit map"),
        desc=_(
            "How enablers and projects lead to outputs, outcomes, benefits and city objectives. Arrows "
            "show the "
            "kind of effect; the table below lists every link."
        ),
        nodes=drawn.placed,
        links=drawn.drawn_links,
        column_titles=benefits.map_column_titles(),
    )
    return render(
        request,
        "operating/benefits.html",
        {"map": drawn, "chart": chart, "benefits": benefits.benefit_list(public_only=True)},
    )


@require_safe
def benefit_page(request: HttpRequest, code: str) -> HttpResponse:
    benefit = benefits.benefit_by_code(code, public_only=True)
    if benefit is None:
        raise Http404
    return render(request, "operating/benefit.html", {"detail": benefits.benefit_detail(benefit)})


@require_safe
def indicator_list(request: HttpRequest) -> HttpResponse:
    framework = request.GET.get("framework") or "u4ssc"
    return render(
        request,
        "operating/indicators.html",
        {
            "indicators": indicators.indicator_list(framework=framework),
            "frameworks": indicators.frameworks(),
            "framework": framework,
        },
    )


@require_safe
def indicator_page(request: HttpRequest, indicator_id: uuid.UUID) -> HttpResponse:
    indicator = Indicator.objects.select_related("framework", "theme").filter(pk=indicator_id).first()
    if indicator is None:
        raise Http404
    return render(request, "operating/indicator.html", {"detail": indicators.indicator_detail(indicator)})


@require_safe
def snapshot(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "operating/snapshot.html",
        {"snapshot": indicators.city_snapshot(), "vision": strategy.current_vision()},
    )


@require_safe
def procurement_page(request: HttpRequest) -> HttpResponse:
    needs = list(procurement.needs().order_by("reference"))
    checklists = {
        contract.pk: procurement.contract_checklist(contract)
        for need in needs
        for contract in need.contracts.all()
    }
    return render(request, "operating/procurement.html", {"needs": needs, "checklists": checklists})


@require_safe
def architecture_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "operating/architecture.html",
        {
            "matrix": architecture.interoperability_matrix(),
            "terms": architecture.glossary(),
            "apis": architecture.api_registry(),
        },
    )


# --- Open data -----------------------------------------------------------------------------


@require_safe
def indicator_values_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every indicator value as CSV (open data). Cells a spreadsheet would run as formulas are made text."""
    rows = indicators.export_rows(framework=request.GET.get("framework") or None)
    response = StreamingHttpResponse(csv_lines(EXPORT_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicator-values.csv"'
    return response


def _json_stream(framework: str | None) -> Iterator[str]:
    yield '{"columns": ' + json.dumps(EXPORT_COLUMNS) + ', "generated": "' + timezone.now().isoformat() + '"'
    yield ', "values": ['
    for index, row in enumerate(indicators.export_rows(framework=framework)):
        yield ("," if index else "") + json.dumps(
            dict(zip(EXPORT_COLUMNS, row, strict=True)), ensure_ascii=False
        )
    yield "]}"


@require_safe
def indicator_values_json(request: HttpRequest) -> StreamingHttpResponse:
    """Every indicator value as JSON (open data), streamed."""
    response = StreamingHttpResponse(
        _json_stream(request.GET.get("framework") or None), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="indicator-values.json"'
    return response


@require_safe
def ocds_json(request: HttpRequest) -> JsonResponse:
    """The OCDS 1.1 release package (also at /api/v1/operating/procurement/releases)."""
    return JsonResponse(
        procurement.ocds_release_package(uri=request.build_absolute_uri()),
        json_dumps_params={"ensure_ascii": False},
    )
