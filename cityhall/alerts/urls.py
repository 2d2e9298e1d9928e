from django.urls import path

from cityhall.alerts import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.alert_list, name="list"),
    path("alerts/live", views.live, name="live"),
    path("alerts/feed.atom", views.feed, name="feed"),
    path("alerts/subscribe/", views.subscribe, name="subscribe"),
    path("alerts/subscribe/sent/", views.subscribe_sent, name="subscribe_sent"),
    path(
        "alerts/subscriptions/confirm/<str:token>/", views.subscription_confirm, name="subscription_confirm"
    ),
    path("alerts/subscriptions/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("alerts/<uuid:alert_id>/", views.alert_detail, name="detail"),
    path("alerts/<uuid:alert_id>.cap", views.alert_cap, name="cap"),
    path("staff/alerts/", views.staff_alerts, name="staff_alerts"),
    path("staff/alerts/new/", views.staff_alert_new, name="staff_alert_new"),
    path("staff/alerts/<uuid:alert_id>/", views.staff_alert, name="staff_alert"),
    path("staff/alerts/<uuid:alert_id>/edit/", views.staff_alert_edit, name="staff_alert_edit"),
    path("staff/alerts/<uuid:alert_id>/cap/", views.staff_alert_cap, name="staff_alert_cap"),
    path("staff/alerts/<uuid:alert_id>/<slug:action>/", views.staff_alert_action, name="staff_alert_action"),
    path("staff/incidents/", views.staff_incidents, name="staff_incidents"),
    path("staff/incidents/<uuid:incident_id>/", views.staff_incident, name="staff_incident"),
    path("staff/incidents/tasks/<uuid:task_id>/", views.staff_task_status, name="staff_task_status"),
    path(
        "staff/incidents/resources/<uuid:resource_id>/",
        views.staff_resource_update,
        name="staff_resource_update",
    ),
]
