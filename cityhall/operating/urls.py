from django.urls import path

from cityhall.operating.views import public, registers, staff

app_name = "operating"

urlpatterns = [
    # Public: what the city set out to do and how it is going.
    path("city/", public.city_dashboard, name="dashboard"),
    path("city/vision/", public.vision, name="vision"),
    path("city/roadmap/", public.roadmap_page, name="roadmap"),
    path("city/benefits/", public.benefit_map_page, name="benefits"),
    path("city/benefits/<str:code>/", public.benefit_page, name="benefit"),
    path("city/indicators/", public.indicator_list, name="indicators"),
    path("city/indicators/<uuid:indicator_id>/", public.indicator_page, name="indicator"),
    path("city/snapshot/", public.snapshot, name="snapshot"),
    path("city/procurement/", public.procurement_page, name="procurement"),
    path("city/architecture/", public.architecture_page, name="architecture"),
    path("city/data/indicator-values.csv", public.indicator_values_csv, name="export_csv"),
    path("city/data/indicator-values.json", public.indicator_values_json, name="export_json"),
    path("city/data/procurement-ocds.json", public.ocds_json, name="export_ocds"),
    # The programme office.
    path("staff/operating/", staff.home, name="staff_home"),
    path("staff/operating/strategy/", staff.strategy_page, name="staff_strategy"),
    path("staff/operating/projects/<uuid:project_id>/", staff.project_page, name="staff_project"),
    path("staff/operating/benefit-map/", staff.benefit_map_page, name="staff_benefit_map"),
    path("staff/operating/benefits/<str:code>/", staff.benefit_page, name="staff_benefit"),
    path("staff/operating/indicators/", staff.indicators_page, name="staff_indicators"),
    path("staff/operating/risks/", staff.risks_page, name="staff_risks"),
    path("staff/operating/risks/<uuid:risk_id>/", staff.risk_page, name="staff_risk"),
    path("staff/operating/checklist/", staff.checklist_page, name="staff_checklist"),
    path("staff/operating/contracts/<uuid:contract_id>/", staff.contract_page, name="staff_contract"),
    path("staff/operating/interoperability/", registers.interoperability_page, name="staff_interoperability"),
    path("staff/operating/registers/<slug:slug>/", registers.register_page, name="staff_register"),
]
