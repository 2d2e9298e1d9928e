from django.urls import URLPattern, URLResolver, path

from cityhall.voting import views

app_name = "voting"

urlpatterns: list[URLPattern | URLResolver] = [
    path("participate/polls/", views.poll_list, name="poll_list"),
    path("participate/polls/<uuid:poll_id>/", views.poll_detail, name="poll_detail"),
    path("participate/polls/<uuid:poll_id>/vote/", views.poll_vote, name="poll_vote"),
    path("participate/polls/<uuid:poll_id>/results/", views.poll_results, name="poll_results"),
    path("participate/polls/<uuid:poll_id>/data/<str:name>", views.poll_open_data, name="poll_open_data"),
    path("participate/budgets/", views.budget_list, name="budget_list"),
    path("participate/budgets/<uuid:budget_id>/", views.budget_detail, name="budget_detail"),
    path("participate/budgets/<uuid:budget_id>/vote/", views.budget_vote, name="budget_vote"),
    path("participate/budgets/<uuid:budget_id>/results/", views.budget_results, name="budget_results"),
    path(
        "participate/budgets/<uuid:budget_id>/results/equal-shares/",
        views.budget_shares,
        name="budget_shares",
    ),
    path(
        "participate/budgets/<uuid:budget_id>/data/<str:name>",
        views.budget_open_data,
        name="budget_open_data",
    ),
    path("staff/voting/", views.staff_home, name="staff_home"),
    path("staff/voting/polls/new/", views.staff_poll_new, name="staff_poll_new"),
    path("staff/voting/polls/<uuid:poll_id>/", views.staff_poll, name="staff_poll"),
    path("staff/voting/budgets/new/", views.staff_budget_new, name="staff_budget_new"),
    path("staff/voting/budgets/<uuid:budget_id>/", views.staff_budget, name="staff_budget"),
]
