"""Fetching a harvest source safely: staff type the URLs, so the server must not be turned into a
proxy into the city's own network.

- only http and https;
- the host name is resolved once, every address is checked, and the connection goes to the checked
  address (no second lookup an attacker could answer differently); private, loopback, link-local,
  multicast and reserved addresses are refused unless HARVEST_ALLOW_PRIVATE_ADDRESSES is on (tests,
  or an intranet CKAN the city trusts);
- redirects are followed by hand (at most 5), each one checked the same way;
- a connect and read timeout, and an overall deadline (HARVEST_TIMEOUT_SECONDS);
- a size limit (HARVEST_MAX_BYTES), checked on Content-Length and again while reading.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError

MAX_REDIRECTS = 5
USER_AGENT = "Cityhall-harvester/1.0 (+https://github.com/cityhall)"


class FetchError(ServiceError):
    code = "harvest_fetch_failed"


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # the final URL, after redirects
    content: bytes
    content_type: str  # media type without parameters, lower case
    status: int = 200


Fetcher = Callable[[str], Fetched]


def _setting(name: str, default: object) -> object:
    return getattr(settings, name, default)


def max_bytes() -> int:
    return int(_setting("HARVEST_MAX_BYTES", 50 * 1024 * 1024))  # type: ignore[call-overload]


def timeout_seconds() -> float:
    return float(_setting("HARVEST_TIMEOUT_SECONDS", 30))  # type: ignore[arg-type]


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_url(url: str) -> tuple[str, str, int, str]:
    """Validate a source URL; returns (scheme, host, port, address to connect to)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(
            _("The address %(url)s is not an http:// or https:// address; only those can be harvested.")
            % {"url": url}
        )
    host = parts.hostname
    if not host:
        raise FetchError(_("The address %(url)s has no host name.") % {"url": url})
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise FetchError(_("The address %(url)s has an invalid port.") % {"url": url}) from error
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(
            _("The host %(host)s could not be found (%(reason)s). Check the address.")
            % {"host": host, "reason": error}
        ) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(_("The host %(host)s has no address. Check the address.") % {"host": host})
    if not _setting("HARVEST_ALLOW_PRIVATE_ADDRESSES", False):
        refused = [a for a in addresses if not _address_allowed(a)]
        if refused:
            raise FetchError(
                _(
                    "The host %(host)s points to a private or local network address (%(address)s). "
                    "Harvesting from inside the city's network is switched off."
                )
                % {"host": host, "address": refused[0]}
            )
    return scheme, host, port, addresses[0]


def http_fetch(url: str, *, accept: str = "*/*", error_body: bool = False) -> Fetched:
    """GET a URL under the rules above; raises FetchError with a sentence saying what went wrong.

    With error_body=True an HTTP error status (4xx, 5xx) still returns the body, for APIs such as
    CKAN's that explain the error in it."""
    deadline = time.monotonic() + timeout_seconds()
    limit = max_bytes()
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, address = check_url(current)
        parts = urlsplit(current)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        remaining = max(1.0, deadline - time.monotonic())
        timeout = urllib3.Timeout(connect=min(10.0, remaining), read=remaining)
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                cert_reqs="CERT_REQUIRED",
                ca_certs=certifi.where(),
                server_hostname=host,
                assert_hostname=host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        host_header = host if parts.port is None else f"{host}:{parts.port}"
        try:
            response = pool.urlopen(
                "GET",
                target,
                headers={"Host": host_header, "User-Agent": USER_AGENT, "Accept": accept},
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.HTTPError as error:
            raise FetchError(
                _("The source at %(url)s could not be reached (%(reason)s).")
                % {"url": current, "reason": error}
            ) from error
        try:
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                current = urljoin(current, response.headers["Location"])
                continue
            if response.status >= 400 and not error_body:
                raise FetchError(
                    _("The source at %(url)s answered with HTTP status %(status)s.")
                    % {"url": current, "status": response.status}
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _too_big(current, limit)
            chunks: list[bytes] = []
            size = 0
            try:
                for chunk in response.stream(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise _too_big(current, limit)
                    if time.monotonic() > deadline:
                        raise FetchError(
                            _("The source at %(url)s took longer than %(seconds)s seconds to answer.")
                            % {"url": current, "seconds": int(timeout_seconds())}
                        )
                    chunks.append(chunk)
            except urllib3.exceptions.HTTPError as error:
                raise FetchError(
                    _("Reading from %(url)s failed (%(reason)s).") % {"url": current, "reason": error}
                ) from error
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            return Fetched(
                url=current, content=b"".join(chunks), content_type=content_type, status=response.status
            )
        finally:
            response.release_conn()
            pool.close()
    raise FetchError(
        _("The source at %(url)s redirected more than %(count)s times.")
        % {"url": url, "count": MAX_REDIRECTS}
    )


def _too_big(url: str, limit: int) -> FetchError:
    return FetchError(
        _("The source at %(url)s sent more than %(megabytes)s MB; Cityhall stops there.")
        % {"url": url, "megabytes": limit // (1024 * 1024) or 1}
    )
