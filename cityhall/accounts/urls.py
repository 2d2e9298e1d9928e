from django.urls import path

from cityhall.accounts import views

app_name = "accounts"

urlpatterns = [
    path("staff/", views.staff_home, name="staff_home"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
