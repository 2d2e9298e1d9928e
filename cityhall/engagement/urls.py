from django.urls import URLPattern, URLResolver, path

from cityhall.engagement import views

app_name = "engagement"

urlpatterns: list[URLPattern | URLResolver] = [
    path("participate/", views.participate_home, name="home"),
    path("participate/settings/", views.participant_settings, name="settings"),
    path("participate/consultations/", views.consultation_list, name="consultations"),
    path("participate/consultations/<slug:slug>/", views.consultation_detail, name="consultation"),
    path(
        "participate/consultations/<slug:slug>/answer/", views.consultation_answer, name="consultation_answer"
    ),
    path(
        "participate/consultations/<slug:slug>/comments/",
        views.consultation_comment,
        name="consultation_comment",
    ),
    path("participate/proposals/", views.process_list, name="processes"),
    path("participate/proposals/<slug:slug>/", views.process_detail, name="process"),
    path("participate/proposals/<slug:slug>/new/", views.proposal_new, name="proposal_new"),
    path("participate/proposals/<slug:slug>/<uuid:proposal_id>/", views.proposal_detail, name="proposal"),
    path(
        "participate/proposals/<slug:slug>/<uuid:proposal_id>/support/",
        views.proposal_support,
        name="proposal_support",
    ),
    path(
        "participate/proposals/<slug:slug>/<uuid:proposal_id>/withdraw/",
        views.proposal_withdraw,
        name="proposal_withdraw",
    ),
    path(
        "participate/proposals/<slug:slug>/<uuid:proposal_id>/comments/",
        views.proposal_comment,
        name="proposal_comment",
    ),
    path("staff/engagement/", views.staff_home, name="staff_home"),
    path("staff/engagement/consultations/new/", views.staff_consultation_new, name="staff_consultation_new"),
    path(
        "staff/engagement/consultations/<uuid:consultation_id>/",
        views.staff_consultation,
        name="staff_consultation",
    ),
    path(
        "staff/engagement/consultations/<uuid:consultation_id>/phase/",
        views.staff_consultation_phase,
        name="staff_consultation_phase",
    ),
    path("staff/engagement/processes/new/", views.staff_process_new, name="staff_process_new"),
    path("staff/engagement/processes/<uuid:process_id>/", views.staff_process, name="staff_process"),
    path("staff/engagement/proposals/<uuid:proposal_id>/", views.staff_proposal, name="staff_proposal"),
    path("staff/engagement/comments/", views.staff_comments, name="staff_comments"),
    path(
        "staff/engagement/comments/<uuid:comment_id>/hide/",
        views.staff_comment_hide,
        name="staff_comment_hide",
    ),
]
