"""The fetcher staff-entered source addresses go through: schemes, private addresses, limits."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from cityhall.dcat import fetch
from cityhall.dcat.fetch import FetchError
from tests.dcat.support import FakeSite, Reply


def test_real_http_fetching_through_a_local_server(site: FakeSite) -> None:
    site.routes["/catalog.ttl"] = Reply(b"<a> <b> <c> .", "text/turtle; charset=utf-8")

    fetched = fetch.http_fetch(site.url + "/catalog.ttl", accept="text/turtle")

    assert (fetched.content, fetched.content_type, fetched.status) == (b"<a> <b> <c> .", "text/turtle", 200)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x", "/relative"])
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(FetchError, match=r"only those can be harvested|no host"):
        fetch.http_fetch(url)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.1", "169.254.169.254", "[::1]"]
)
def test_private_and_loopback_addresses_are_refused_by_default(settings: Any, host: str) -> None:
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(FetchError, match="private or local network address"):
        fetch.check_url(f"http://{host}/catalog.ttl")


def test_a_redirect_is_followed_and_checked_again(site: FakeSite, settings: Any) -> None:
    site.routes["/old"] = Reply(b"", status=302, headers={"Location": "/new"})
    site.routes["/new"] = Reply(b"moved here", "text/plain")

    assert fetch.http_fetch(site.url + "/old").content == b"moved here"

    site.routes["/old"] = Reply(b"", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="only those can be harvested"):
        fetch.http_fetch(site.url + "/old")


def test_endless_redirects_stop(site: FakeSite) -> None:
    site.routes["/loop"] = Reply(b"", status=302, headers={"Location": "/loop"})

    with pytest.raises(FetchError, match="redirected more than 5 times"):
        fetch.http_fetch(site.url + "/loop")


def test_a_body_over_the_size_limit_is_refused(site: FakeSite, settings: Any) -> None:
    settings.HARVEST_MAX_BYTES = 1000
    site.routes["/big"] = Reply(b"x" * 5000, "text/plain")

    with pytest.raises(FetchError, match="sent more than"):
        fetch.http_fetch(site.url + "/big")


def test_a_slow_source_times_out(site: FakeSite, settings: Any) -> None:
    settings.HARVEST_TIMEOUT_SECONDS = 0.3
    site.routes["/slow"] = Reply(b"late", "text/plain", delay=2)

    with pytest.raises(FetchError, match=r"could not be reached|took longer"):
        fetch.http_fetch(site.url + "/slow")


def test_an_unknown_host_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no DNS lookups in tests

    with pytest.raises(FetchError, match="could not be found"):
        fetch.check_url("http://no-such-host.invalid/catalog.ttl")


def test_an_error_status_is_an_error_unless_the_body_is_wanted(site: FakeSite) -> None:
    site.routes["/api"] = Reply(b'{"success": false}', "application/json", 409)

    with pytest.raises(FetchError, match="HTTP status 409"):
        fetch.http_fetch(site.url + "/api")
    assert fetch.http_fetch(site.url + "/api", error_body=True).status == 409
