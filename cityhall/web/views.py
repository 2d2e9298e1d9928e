"""Error pages: HTML for people, the JSON error shape for API clients."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cityhall.core.errors import status_error_response
from cityhall.core.middleware import is_api_request


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if is_api_request(request):
        return status_error_response(status)
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        400,
        _("The request could not be understood"),
        _("Check the address or the form and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("You cannot open this page"),
        _("Your account does not have access to this page. If you think it should, contact the city."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _(
            "There is no page at this address. If you typed it, check it; "
            "if you followed a link, it may be out of date."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return status_error_response(500)
    # No context processors or database here: the error may be in them.
    return HttpResponse(render_to_string("500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        _("This form has expired"),
        _(
            "For your security, forms can only be sent from this site within a time limit. "
            "Go back, reload the page and send the form again."
        ),
    )
