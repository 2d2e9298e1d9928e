"""A CKAN site -> DatasetRecords: the Action API envelope, package_search paging, and the package
dict mapping (ckanext-dcat's field conventions)."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from cityhall.catalog.contracts import DatasetRecord, DistributionRecord
from cityhall.dcat import vocab
from cityhall.dcat.parse import (
    EPOCH,
    HarvestItem,
    HarvestSourceError,
    ItemError,
    Target,
    record_id,
    record_name,
)

ROWS = 100


def action_url(site: str, action: str, params: dict[str, Any]) -> str:
    # ckanext-harvest's path (/api/3/action); CKAN and Cityhall both answer it.
    return f"{site.rstrip('/')}/api/3/action/{action}?{urlencode(params)}"


def search_params(
    *, start: int, modified_since: dt.datetime | None, ids_only: bool = False
) -> dict[str, Any]:
    params: dict[str, Any] = {"rows": ROWS, "start": start, "sort": "id asc"}
    if modified_since is not None:
        since = modified_since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        params["fq"] = f"metadata_modified:[{since} TO *]"
    if ids_only:
        params["fl"] = "id"
    return params


def read_envelope(content: bytes, *, url: str, status: int = 200) -> dict[str, Any]:
    """The `result` of an Action API answer; HarvestSourceError for errors and for garbage.

    Like ckanapi, the body decides: CKAN explains its errors in the JSON envelope."""
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        if status >= 400:
            raise HarvestSourceError(
                _("The CKAN site at %(url)s answered with HTTP status %(status)s.")
                % {"url": url, "status": status}
            ) from error
        raise HarvestSourceError(
            _(
                "The CKAN site at %(url)s did not answer with JSON (%(detail)s). "
                "Check that the address is the site's root, without /api."
            )
            % {"url": url, "detail": str(error)[:120]}
        ) from error
    if not isinstance(body, dict) or "success" not in body:
        if status >= 400:
            raise HarvestSourceError(
                _("The CKAN site at %(url)s answered with HTTP status %(status)s.")
                % {"url": url, "status": status}
            )
        raise HarvestSourceError(
            _("The answer from %(url)s is JSON but not a CKAN Action API answer (no “success” field).")
            % {"url": url}
        )
    if body.get("success") is not True:
        problem = body.get("error")
        if isinstance(problem, dict):
            kind = str(problem.get("__type", "")) or _("Error")
            message = str(problem.get("message", "")) or json.dumps(problem)[:200]
        else:
            kind, message = _("Error"), str(problem)[:200]
        raise HarvestSourceError(
            _("The CKAN site at %(url)s answered with an error: %(kind)s: %(message)s")
            % {"url": url, "kind": kind, "message": message}
        )
    result = body.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("results"), list):
        raise HarvestSourceError(
            _("The CKAN site at %(url)s answered package_search without a list of results.") % {"url": url}
        )
    return result


def _datetime(value: Any) -> dt.datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)  # CKAN's times are naive UTC


def _date(value: Any) -> dt.date | None:
    parsed = _datetime(value)
    return parsed.date() if parsed else None


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def package_item(package: Any, *, site: str, target: Target) -> HarvestItem:
    if not isinstance(package, dict) or not _str(package.get("id")):
        return HarvestItem(
            identifier="", title="", error=_("The source listed an entry that is not a CKAN dataset.")
        )
    extras = {
        _str(e.get("key")): _str(e.get("value"))
        for e in package.get("extras") or []
        if isinstance(e, dict) and _str(e.get("key"))
    }
    identifier = extras.get("uri") or f"{site.rstrip('/')}/dataset/{package['id']}"
    title = _str(package.get("title")) or _str(package.get("name"))
    try:
        record = package_record(package, extras=extras, identifier=identifier, site=site, target=target)
    except ItemError as error:
        return HarvestItem(identifier=identifier, title=title, error=str(error))
    return HarvestItem(identifier=identifier, title=title, record=record)


def _licence_id(value: str, title: str) -> str:
    if not value:
        return ""
    licence = vocab.licence_lookup(value)
    if licence is None:
        raise ItemError(
            _(
                "The dataset “%(title)s” has the licence “%(licence)s”, which Cityhall does not know. "
                "Ask the source to use a standard licence, or add it to Cityhall's licence table."
            )
            % {"title": title, "licence": value}
        )
    return licence.id


def package_record(
    package: dict[str, Any], *, extras: dict[str, str], identifier: str, site: str, target: Target
) -> DatasetRecord:
    language = settings.LANGUAGE_CODE
    title = _str(package.get("title")) or _str(package.get("name"))
    if not title:
        raise ItemError(_("The dataset %(id)s has no title.") % {"id": identifier})
    license_id = _licence_id(_str(package.get("license_id")), title)
    themes = set()
    for value in [extras.get("theme", "")] + [
        _str(g.get("name")) for g in package.get("groups") or [] if isinstance(g, dict)
    ]:
        for part in re.split(r"[\s,\[\]\"]+", value):
            code = vocab.code_from_iri(part, "data-theme") or part.upper()
            if code in vocab.DATA_THEMES:
                themes.add(code)
    frequency = extras.get("frequency", "")
    frequency = vocab.code_from_iri(frequency, "frequency") or frequency.upper()
    access = extras.get("access_rights", "")
    access = vocab.code_from_iri(access, "access-right") or access.upper()
    organization = package.get("organization") if isinstance(package.get("organization"), dict) else {}
    kept: dict[str, str] = {}
    if organization and _str(organization.get("title")):
        kept["source_publisher"] = _str(organization.get("title"))
    modified = _datetime(package.get("metadata_modified"))
    issued = _datetime(extras.get("issued")) or _datetime(package.get("metadata_created"))
    distributions = []
    for position, resource in enumerate(package.get("resources") or []):
        if isinstance(resource, dict):
            distributions.append(_distribution(resource, identifier, position, license_id))
    return DatasetRecord(
        id=record_id(target.source, identifier),
        name=_str(package.get("name")) or record_name(title, identifier),
        identifier=identifier,
        title={language: title},
        description={language: _str(package.get("notes"))} if _str(package.get("notes")) else {},
        publisher_id=target.department_id,
        publisher_name=target.department_name,
        publisher_slug=target.department_slug,
        contact_name=_str(package.get("maintainer")) or _str(package.get("author")),
        contact_email=_str(package.get("maintainer_email")) or _str(package.get("author_email")),
        themes=tuple(sorted(themes)),
        keywords=tuple(
            sorted(
                {
                    _str(t.get("name"))
                    for t in package.get("tags") or []
                    if isinstance(t, dict) and _str(t.get("name"))
                }
            )
        ),
        license_id=license_id,
        license_url=_str(package.get("license_url")),
        access_rights=access if access in vocab.ACCESS_RIGHTS else "PUBLIC",
        temporal_start=_date(extras.get("temporal_start")),
        temporal_end=_date(extras.get("temporal_end")),
        spatial=extras.get("spatial_uri") or extras.get("spatial_text") or extras.get("spatial", ""),
        frequency=frequency if frequency in vocab.FREQUENCIES else "",
        conforms_to=tuple(
            s
            for s in re.split(r"[\s,\[\]\"]+", extras.get("conforms_to", ""))
            if s.startswith(("http://", "https://"))
        ),
        landing_page=_str(package.get("url"))
        or f"{site.rstrip('/')}/dataset/{_str(package.get('name')) or package['id']}",
        issued=issued,
        modified=modified or issued or EPOCH,
        state="published",
        private=False,
        harvest_source=target.source,
        distributions=tuple(distributions),
        extras=kept,
        version=_str(package.get("version")),
    )


def _distribution(
    resource: dict[str, Any], dataset_identifier: str, position: int, license_id: str
) -> DistributionRecord:
    url = _str(resource.get("url"))
    resource_id = _str(resource.get("id")) or f"{dataset_identifier}#{position}"
    size = resource.get("size")
    digest = _str(resource.get("hash")).lower().removeprefix("sha256:")
    is_file = resource.get("url_type") == "upload" or bool(
        re.search(r"\.[A-Za-z0-9]{2,7}$", url.split("?")[0])
    )
    return DistributionRecord(
        id=uuid.uuid5(
            uuid.NAMESPACE_URL, f"cityhall-harvest-distribution:{dataset_identifier}|{resource_id}"
        ),
        title=_str(resource.get("name")),
        name=_str(resource.get("name")),
        description=_str(resource.get("description")),
        access_url=url,
        download_url=url if is_file and url else None,
        format=_str(resource.get("format")).upper(),
        media_type=_str(resource.get("mimetype")),
        byte_size=size if isinstance(size, int) and size >= 0 else None,
        checksum_sha256=digest if re.fullmatch(r"[0-9a-f]{64}", digest) else None,
        license_id=license_id,
        issued=_datetime(resource.get("created")),
        modified=_datetime(resource.get("last_modified") or resource.get("metadata_modified")),
    )
