from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cityhall.portal.selectors import home_page


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"page": home_page()})
