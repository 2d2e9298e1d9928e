"""The CKAN Action API v3 at /api/3/action/<name> and /api/action/<name>, with CKAN's envelopes, error
types and status codes (see /work/shared/standards/ckan-action-api.md and docs/catalog.md).

Plain Django views: CKAN's envelope is not the /api/v1/ error shape. The DataStore actions are routed
to the DataStore module's facade.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from cityhall.accounts.facade import departments, user_for_api_token
from cityhall.catalog import ckan_dicts, rules, selectors, services
from cityhall.catalog.contracts import CkanActionError
from cityhall.catalog.models import Dataset, DatasetState, Distribution, SearchTerm
from cityhall.catalog.search import MAX_ROWS, SearchParams, SearchQueryError, search
from cityhall.catalog.vocabularies import THEMES
from cityhall.core.errors import ApiError, NotFoundError, PermissionDeniedError, ServiceError

logger = logging.getLogger(__name__)

CKAN_VERSION = "2.11.0"
READ_ONLY_ACTIONS = frozenset(
    {
        "status_show",
        "help_show",
        "site_read",
        "package_list",
        "package_show",
        "package_search",
        "organization_list",
        "organization_show",
        "group_list",
        "group_show",
        "tag_list",
        "license_list",
        "resource_show",
        "resource_view_list",
        "datastore_search",
        "datastore_search_sql",
        "datastore_info",
    }
)

Action = Callable[[dict[str, Any], Any, HttpRequest], Any]
_ACTIONS: dict[str, Action] = {}


def action(function: Action) -> Action:
    _ACTIONS[function.__name__.removeprefix("ckan_")] = function
    return function


# --- Errors and helpers ---------------------------------------------------------------------


def _validation(errors: dict[str, list[str]]) -> CkanActionError:
    return CkanActionError("Validation Error", "Validation Error", status=409, fields=errors)


def _not_found(what: str) -> CkanActionError:
    return CkanActionError("Not Found Error", f"Not found: {what}", status=404)


def _denied(why: str) -> CkanActionError:
    return CkanActionError("Authorization Error", f"Access denied: {why}", status=403)


def _bool(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes", "on"}


def _int(data: dict[str, Any], key: str, default: int, *, minimum: int = 0) -> int:
    value = data.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _validation({key: ["Invalid integer"]}) from None
    if number < minimum:
        raise _validation({key: [f"Must be a natural number{' (0 or more)' if minimum == 0 else ''}"]})
    return number


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            items += _list(item) if isinstance(item, str) and item.strip().startswith("[") else [item]
        return items
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                decoded = json.loads(text)
            except json.JSONDecodeError:
                raise _validation({"facet.field": ["Not a JSON list"]}) from None
            return decoded if isinstance(decoded, list) else [decoded]
        return [text]
    return [value]


def _require_id(data: dict[str, Any], key: str = "id") -> str:
    value = data.get(key)
    if value in (None, ""):
        raise _validation({key: ["Missing value"]})
    return str(value)


def _dataset_for_read(user: Any, value: str) -> Dataset:
    dataset = selectors.dataset_by_id_or_name(value)
    if dataset is None or (
        dataset.state == DatasetState.DELETED and not rules.can_read_dataset(user, dataset)
    ):
        raise _not_found("Dataset not found")
    if not rules.can_read_dataset(user, dataset):
        raise _denied(f"User not authorized to read package {dataset.pk}")
    return dataset


def _require_user(user: Any, what: str) -> None:
    if user is None:
        raise _denied(f"{what} needs an API token: send it in the Authorization header.")


def _service_errors(function: Callable[[], Any]) -> Any:
    """Run a service call, turning catalog errors into CKAN's."""
    try:
        return function()
    except services.MetadataError as error:
        raise _validation(ckan_dicts.ckan_errors(error.errors)) from error
    except PermissionDeniedError as error:
        raise _denied(error.message) from error
    except NotFoundError as error:
        raise _not_found(error.message) from error
    except ServiceError as error:
        if error.code == "file_too_large":
            raise _validation({"upload": [error.message]}) from error
        raise _validation({"__all__": [error.message]}) from error


def _search_params_for(user: Any, data: dict[str, Any]) -> SearchParams:
    include_private = _bool(data.get("include_private"))
    include_drafts = _bool(data.get("include_drafts"))
    members = rules.member_departments(user) if user is not None else frozenset()
    fq_list = [str(item) for item in _list(data.get("fq_list"))]
    fq = data.get("fq") or ""
    if isinstance(fq, list):
        fq_list += [str(item) for item in fq]
        fq = ""
    facet_limit = _int(data, "facet.limit", 50, minimum=-1)
    return SearchParams(
        q=str(data.get("q") or ""),
        fq=[str(fq), *fq_list],
        rows=min(_int(data, "rows", 10), MAX_ROWS),
        start=_int(data, "start", 0),
        sort=str(data.get("sort") or ""),
        facet_fields=[str(f) for f in _list(data.get("facet.field"))]
        if _bool(data.get("facet"), True)
        else [],
        facet_limit=facet_limit,
        facet_mincount=_int(data, "facet.mincount", 1),
        private_departments=members if include_private else None,
        all_private=include_private and bool(getattr(user, "is_superuser", False)),
        draft_departments=members if include_drafts else None,
    )


# --- Read actions ---------------------------------------------------------------------------


@action
def ckan_status_show(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return the site's status: title, URL, default locale, extensions and the CKAN API version."""
    from cityhall.core.models import City

    city = City.objects.first()
    return {
        "site_title": city.name if city else "Cityhall",
        "site_description": "Open data of the city, on Cityhall.",
        "site_url": selectors.base_url(),
        "error_emails_to": None,
        "locale_default": settings.LANGUAGE_CODE,
        "extensions": ["cityhall", "datastore", "dcat"],
        "ckan_version": CKAN_VERSION,
    }


@action
def ckan_site_read(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return true (kept for old clients)."""
    return True


@action
def ckan_help_show(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return the help text of an action (name)."""
    name = _require_id(data, "name")
    function = _ACTIONS.get(name)
    if function is None:
        raise _not_found(f"Action function not found: {name}")
    return (function.__doc__ or "").strip()


@action
def ckan_package_list(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return the names of the public active datasets, sorted by name (limit, offset)."""
    limit = _int(data, "limit", MAX_ROWS)
    offset = _int(data, "offset", 0)
    names = selectors.public_datasets().order_by("name").values_list("name", flat=True)
    return list(names[offset : offset + limit]) if limit else list(names[offset:])


@action
def ckan_package_show(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return a dataset (id or name) with its resources."""
    dataset = _dataset_for_read(user, _require_id(data))
    return ckan_dicts.package_dict_for(dataset)


@action
def ckan_package_search(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Search datasets: q, fq, fq_list, rows (≤1000), start, sort, facet.field, facet.limit,
    facet.mincount, include_private, include_drafts."""
    params = _search_params_for(user, data)
    try:
        result = search(params)
    except SearchQueryError as error:
        raise CkanActionError("Search Query Error", str(error), status=400) from error
    results = ckan_dicts.package_dicts(result.dataset_ids)
    titles = _facet_titles(result.facets)
    return {
        "count": result.count,
        "results": results,
        "sort": result.sort,
        "facets": {name: dict(items) for name, items in result.facets.items()},
        "search_facets": {
            name: {
                "title": name,
                "items": sorted(
                    (
                        {"name": value, "display_name": titles.get((name, value), value), "count": count}
                        for value, count in items
                    ),
                    key=lambda item: item["display_name"],
                    reverse=True,
                ),
            }
            for name, items in result.facets.items()
        },
    }


def _facet_titles(facets: dict[str, list[tuple[str, int]]]) -> dict[tuple[str, str], str]:
    titles: dict[tuple[str, str], str] = {}
    if facets.get("organization"):
        for department in departments():
            titles[("organization", department.slug)] = department.name
    for code, label in THEMES.items():
        titles[("groups", code.lower())] = str(label)
    from cityhall.catalog.vocabularies import LICENSES

    for license in LICENSES:
        titles[("license_id", license.id)] = license.title
    return titles


def _package_counts_by_department() -> dict[uuid.UUID, int]:
    rows = selectors.public_datasets().values("department_id").annotate(n=Count("id"))
    return {row["department_id"]: row["n"] for row in rows}


def _group_or_org_list(data: dict[str, Any], items: list[dict[str, Any]]) -> Any:
    query = str(data.get("q") or "").strip().lower()
    if query:
        items = [i for i in items if query in i["name"].lower() or query in i["title"].lower()]
    sort = str(data.get("sort") or "title asc").strip().split()
    key = sort[0] if sort else "title"
    if key not in {"title", "name", "package_count"}:
        raise _validation({"sort": [f"Cannot sort by field `{key}`"]})
    reverse = len(sort) > 1 and sort[1].lower() == "desc"
    items.sort(key=lambda i: i[key] if key != "title" else i[key].lower(), reverse=reverse)
    all_fields = _bool(data.get("all_fields"))
    limit = _int(data, "limit", 25 if all_fields else 1000)
    offset = _int(data, "offset", 0)
    page = items[offset : offset + limit]
    if not all_fields:
        return [i["name"] for i in page]
    if not _bool(data.get("include_dataset_count"), True):
        for item in page:
            item.pop("package_count", None)
    return page


@action
def ckan_organization_list(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return the organizations (the city's departments): names, or dicts with all_fields."""
    counts = _package_counts_by_department()
    items = [
        {**ckan_dicts.organization_dict(_Dept(d)), "package_count": counts.get(d.id, 0)}
        for d in departments()
    ]
    return _group_or_org_list(data, items)


class _Dept:
    """A DepartmentRef seen as the model (organization_dict reads these attributes)."""

    def __init__(self, ref: Any) -> None:
        self.pk = ref.id
        self.slug = ref.slug
        self.name = ref.name
        self.created_at = None


def _find_department(value: str) -> Any:
    return next((d for d in departments() if value in {str(d.id), d.slug}), None)


@action
def ckan_organization_show(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return one organization (id or name); include_datasets adds its public datasets."""
    wanted = _require_id(data)
    department = _find_department(wanted)
    if department is None:
        raise _not_found("Organization was not found.")
    count = selectors.public_datasets().filter(department_id=department.id).count()
    result = {
        **ckan_dicts.organization_dict(_Dept(department)),
        "package_count": count,
        "extras": [],
        "tags": [],
        "groups": [],
        "users": [],
    }
    if _bool(data.get("include_datasets")):
        ids = list(
            selectors.public_datasets()
            .filter(department_id=department.id)
            .order_by("name")
            .values_list("id", flat=True)[:1000]
        )
        result["packages"] = ckan_dicts.package_dicts(ids)
    return result


def _theme_counts() -> dict[str, int]:
    """Public datasets per theme, from the search index's facet counts."""
    result = search(SearchParams(rows=0, facet_fields=["groups"], facet_limit=-1))
    return {value.upper(): count for value, count in result.facets.get("groups", [])}


@action
def ckan_group_list(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return the groups: the EU data themes."""
    counts = _theme_counts()
    items = [ckan_dicts.group_dict(code, package_count=counts.get(code, 0)) for code in THEMES]
    return _group_or_org_list(data, items)


@action
def ckan_group_show(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return one group (an EU data theme, by code or name); include_datasets adds its datasets."""
    code = _require_id(data).upper()
    if code not in THEMES:
        raise _not_found("Group was not found.")
    found = search(SearchParams(fq=[f"groups:{code.lower()}"], rows=MAX_ROWS, sort="name asc"))
    ids = found.dataset_ids
    result = {
        **ckan_dicts.group_dict(code, package_count=found.count),
        "extras": [],
        "tags": [],
        "groups": [],
        "users": [],
    }
    if _bool(data.get("include_datasets")):
        result["packages"] = ckan_dicts.package_dicts(ids)
    return result


@action
def ckan_tag_list(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return the tags (keywords) of public datasets; query filters them; all_fields gives dicts."""
    values = (
        SearchTerm.objects.filter(field="tags", facets__entry__state="active", facets__entry__private=False)
        .values_list("value", flat=True)
        .distinct()
        .order_by("value")
    )
    query = str(data.get("query") or data.get("q") or "").strip()
    if query:
        values = values.filter(value__icontains=query)
    names = list(values[:1000])
    if _bool(data.get("all_fields")):
        return [ckan_dicts.tag_dict(name) for name in names]
    return names


@action
def ckan_license_list(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return the licences datasets may use."""
    return ckan_dicts.license_list()


def _distribution_for_read(user: Any, value: str) -> Distribution:
    distribution = selectors.distribution_by_id(value)
    if distribution is None or distribution.dataset.state == DatasetState.DELETED:
        raise _not_found("Resource was not found.")
    if not rules.can_read_dataset(user, distribution.dataset):
        raise _denied(f"User not authorized to read resource {distribution.pk}")
    return distribution


@action
def ckan_resource_show(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return a resource (distribution) by id."""
    distribution = _distribution_for_read(user, _require_id(data))
    active = selectors.datastore_active_ids([distribution.pk]) if distribution.file else set()
    return ckan_dicts.resource_dict(distribution, active=distribution.pk in active)


@action
def ckan_resource_view_list(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Return the resource's views (none: Cityhall shows a preview on the dataset page)."""
    _distribution_for_read(user, _require_id(data))
    return []


# --- Write actions --------------------------------------------------------------------------


def _resource_input(item: Any, index: int) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _validation({"resources": [f"Resource {index + 1} is not an object."]})
    return item


def _apply_resources(user: Any, dataset: Dataset, resources: list[Any]) -> None:
    """package_update semantics: resources with a known id are updated, new ones created (links),
    and the dataset's other resources removed."""
    existing = {str(d.pk): d for d in dataset.distributions.all()}
    keep: set[str] = set()
    errors: list[dict[str, list[str]]] = []
    for index, raw in enumerate(resources):
        item = _resource_input(raw, index)
        rid = str(item.get("id") or "")
        try:
            if rid in existing:
                keep.add(rid)
                services.distribution_update(
                    actor=user, distribution=existing[rid], changes=item, record_version=False
                )
                errors.append({})
            else:
                if not item.get("url"):
                    errors.append({"url": ["Missing value"]})
                    continue
                services.distribution_create(
                    actor=user,
                    dataset=dataset,
                    name=str(item.get("name") or ""),
                    description=str(item.get("description") or ""),
                    url=str(item.get("url") or ""),
                    format=str(item.get("format") or ""),
                    media_type=str(item.get("mimetype") or ""),
                    extras={
                        k: v
                        for k, v in item.items()
                        if k not in _RESOURCE_KEYS and isinstance(v, str | int | float)
                    },
                    record_version=False,
                )
                errors.append({})
        except services.MetadataError as error:
            errors.append(error.errors)
    if any(errors):
        raise _validation({"resources": errors})  # type: ignore[dict-item]  # CKAN nests per resource
    for rid, distribution in existing.items():
        if rid not in keep:
            services.distribution_delete(actor=user, distribution=distribution, record_version=False)


_RESOURCE_KEYS = frozenset(
    {
        "id",
        "package_id",
        "position",
        "url",
        "name",
        "description",
        "format",
        "mimetype",
        "mimetype_inner",
        "size",
        "hash",
        "created",
        "last_modified",
        "metadata_modified",
        "url_type",
        "resource_type",
        "cache_url",
        "cache_last_updated",
        "state",
        "datastore_active",
        "upload",
    }
)


def _state_for(data: dict[str, Any]) -> str:
    state = str(data.get("state") or "active")
    mapping = {"active": DatasetState.PUBLISHED, "draft": DatasetState.DRAFT, "deleted": DatasetState.DELETED}
    if state not in mapping:
        raise _validation({"state": ["Use active, draft or deleted."]})
    return mapping[state]


def _default_owner(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("owner_org"):
        return data
    own = rules.publisher_departments(user)
    if len(own) == 1:
        return {**data, "owner_org": str(next(iter(own)))}
    raise _validation({"owner_org": ["Missing value"]})


@action
def ckan_package_create(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Create a dataset: name (required), title, owner_org, private, notes, license_id, tags, groups,
    extras, resources (links), state (active publishes at once; draft)."""
    _require_user(user, "Creating a dataset")
    data = _default_owner(user, data)
    metadata = ckan_dicts.metadata_from_package(data, replace=False)
    metadata.setdefault("license_id", "notspecified")
    if not data.get("name"):
        raise _validation({"name": ["Missing value"]})
    state = _state_for(data)

    def create() -> Dataset:
        with transaction.atomic():
            dataset = services.dataset_create(
                actor=user, metadata=metadata, state=state, record_version=False
            )
            _apply_resources(user, dataset, _list(data.get("resources")))
            services.dataset_record_version(actor=user, dataset=dataset, action="create")
            return dataset

    dataset = _service_errors(create)
    return ckan_dicts.package_dict_for(dataset)


def _dataset_for_write(user: Any, value: str) -> Dataset:
    _require_user(user, "Changing a dataset")
    dataset = selectors.dataset_by_id_or_name(value)
    if dataset is None:
        raise _not_found("Dataset was not found.")
    if not rules.can_edit_dataset(user, dataset):
        raise _denied(f"User not authorized to edit package {dataset.pk}")
    return dataset


def _update(user: Any, dataset: Dataset, data: dict[str, Any], *, action_name: str) -> Dataset:
    metadata = ckan_dicts.metadata_from_package(data, replace=True)
    metadata.pop("department_id", None) if not data.get("owner_org") else None
    metadata.setdefault("title", data.get("title") or dataset.title)
    state = _state_for({"state": data.get("state") or ckan_dicts.CKAN_STATE[DatasetState(dataset.state)]})

    def update() -> Dataset:
        with transaction.atomic():
            updated = services.dataset_update(
                actor=user, dataset=dataset, metadata=metadata, record_version=False
            )
            if "resources" in data or action_name == "update":
                _apply_resources(user, updated, _list(data.get("resources")))
            if state != updated.state:
                updated = services.dataset_set_state(actor=user, dataset=updated, state=state)
            services.dataset_record_version(actor=user, dataset=updated, action=action_name)
            return updated

    updated: Dataset = _service_errors(update)
    return updated


@action
def ckan_package_update(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Replace a dataset (id or name): omitted fields and resources are removed. Use package_patch to
    change only some fields."""
    dataset = _dataset_for_write(user, _require_id(data) if data.get("id") else _require_id(data, "name"))
    if not data.get("name"):
        data = {**data, "name": dataset.name}
    return ckan_dicts.package_dict_for(_update(user, dataset, data, action_name="update"))


@action
def ckan_package_patch(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Change some top-level fields of a dataset (id or name); lists such as resources are replaced whole."""
    dataset = _dataset_for_write(user, _require_id(data))
    current = ckan_dicts.package_dict_for(dataset)
    merged = {**current, **data, "id": str(dataset.pk)}
    if "organization" in merged and "owner_org" not in data:
        merged["owner_org"] = current["owner_org"]
    return ckan_dicts.package_dict_for(_update(user, dataset, merged, action_name="patch"))


@action
def ckan_package_delete(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Delete a dataset (id or name): its state becomes deleted."""
    dataset = _dataset_for_write(user, _require_id(data))
    _service_errors(
        lambda: services.dataset_set_state(actor=user, dataset=dataset, state=DatasetState.DELETED)
    )
    return None


def _upload_from(request: HttpRequest) -> Any:
    return request.FILES.get("upload") if request.method == "POST" else None


def _distribution_for_write(user: Any, value: str) -> Distribution:
    _require_user(user, "Changing a resource")
    distribution = selectors.distribution_by_id(value)
    if distribution is None:
        raise _not_found("Resource was not found.")
    if not rules.can_edit_dataset(user, distribution.dataset):
        raise _denied(f"User not authorized to edit resource {distribution.pk}")
    return distribution


@action
def ckan_resource_create(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Add a resource to a dataset: package_id, and url or a multipart upload; name, format, description."""
    dataset = _dataset_for_write(user, _require_id(data, "package_id"))
    upload = _upload_from(request)
    if upload is None and not data.get("url"):
        raise _validation({"url": ["Missing value"]})

    def create() -> Distribution:
        return services.distribution_create(
            actor=user,
            dataset=dataset,
            name=str(data.get("name") or ""),
            description=str(data.get("description") or ""),
            url="" if upload is not None else str(data.get("url") or ""),
            upload=upload,
            upload_name=upload.name if upload is not None else "",
            upload_size=upload.size if upload is not None else None,
            format=str(data.get("format") or ""),
            media_type=str(data.get("mimetype") or ""),
            extras={k: v for k, v in data.items() if k not in _RESOURCE_KEYS and isinstance(v, str)},
        )

    distribution = _service_errors(create)
    return ckan_dicts.resource_dict(distribution, active=False)


def _resource_change(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    distribution = _distribution_for_write(user, _require_id(data))
    upload = _upload_from(request)
    changes = {k: v for k, v in data.items() if k in {"name", "description", "format", "mimetype", "url"}}
    if upload is not None:
        changes.pop("url", None)

    def change() -> Distribution:
        return services.distribution_update(
            actor=user,
            distribution=distribution,
            changes=changes,
            upload=upload,
            upload_name=upload.name if upload is not None else "",
            upload_size=upload.size if upload is not None else None,
        )

    updated = _service_errors(change)
    return ckan_dicts.resource_dict(updated, active=False)


@action
def ckan_resource_update(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Change a resource (id): name, description, format, mimetype, url, or a new multipart upload."""
    return _resource_change(data, user, request)


@action
def ckan_resource_patch(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Change some fields of a resource (id)."""
    return _resource_change(data, user, request)


@action
def ckan_resource_delete(data: dict[str, Any], user: Any, request: HttpRequest) -> Any:
    """Remove a resource (id) from its dataset."""
    distribution = _distribution_for_write(user, _require_id(data))
    _service_errors(lambda: services.distribution_delete(actor=user, distribution=distribution))
    return None


# --- The endpoint ---------------------------------------------------------------------------


def _help_url(name: str) -> str:
    return f"{selectors.base_url()}/api/3/action/help_show?name={name}"


def _bare(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(message, status=status, safe=False)


def _request_data(request: HttpRequest) -> dict[str, Any]:
    if request.method == "GET":
        return {key: (values[0] if len(values) == 1 else values) for key, values in request.GET.lists()}
    content_type = request.content_type or ""
    if content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        return {key: (values[0] if len(values) == 1 else values) for key, values in request.POST.lists()}
    body = request.body
    if not body.strip():
        return {}
    try:
        decoded = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(
            f"Bad request: JSON Error: Could not read the request body as JSON ({error})."
        ) from error
    if not isinstance(decoded, dict):
        raise ValueError("Bad request: JSON Error: Request data JSON decoded to a non-dictionary object.")
    return decoded


def _caller(request: HttpRequest) -> Any:
    header = (
        request.headers.get("Authorization", "").strip() or request.headers.get("X-CKAN-API-Key", "").strip()
    )
    if header:
        scheme, _, rest = header.partition(" ")
        secret = rest.strip() if rest and scheme.lower() in {"bearer", "token"} else header
        try:
            return user_for_api_token(secret).user
        except ApiError as error:
            raise _denied(error.message) from error
    if request.method == "GET" and request.user.is_authenticated:
        return request.user
    return None


def _datastore_actions() -> tuple[frozenset[str], Callable[..., Any] | None]:
    try:
        from cityhall.datastore import facade as datastore
    except ImportError:  # pragma: no cover
        return frozenset(), None
    names = frozenset(getattr(datastore, "DATASTORE_ACTIONS", frozenset()))
    return names, getattr(datastore, "ckan_datastore_action", None)


def _envelope(name: str, **body: Any) -> dict[str, Any]:
    return {"help": _help_url(name), **body}


CORS_HEADERS = {
    # Token auth travels in headers, never cookies, so any origin may call the API (as CKAN allows).
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, X-CKAN-API-Key, Content-Type",
    "Access-Control-Max-Age": "86400",
}


@csrf_exempt
def action_view(request: HttpRequest, name: str) -> HttpResponse:
    response = _action_response(request, name)
    for header, value in CORS_HEADERS.items():
        response[header] = value
    return response


def _action_response(request: HttpRequest, name: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return HttpResponse(status=204)
    if request.method not in {"GET", "POST"}:
        return _bare("Bad request: Please use GET or POST for your request", 400)
    datastore_names, datastore_action = _datastore_actions()
    function = _ACTIONS.get(name)
    if function is None and name not in datastore_names:
        return _bare(f"Bad request: Action name not known: {name}")
    read_only = name in READ_ONLY_ACTIONS or name.endswith(("_show", "_list", "_search"))
    if request.method == "GET" and not read_only:
        return _bare("Bad request: JSON Error: Invalid request. Please use POST method for your request")
    try:
        data = _request_data(request)
    except ValueError as error:
        return _bare(str(error))
    except RequestDataTooBig:
        return _bare("Bad request: the request body is too large.", 413)
    try:
        user = _caller(request)
        if function is not None:
            result = function(data, user, request)
        elif datastore_action is not None:
            result = datastore_action(name, data, user)
        else:  # pragma: no cover - the DataStore lists actions it cannot run
            raise CkanActionError("Internal Server Error", "Internal Server Error", status=500)
    except CkanActionError as error:
        return JsonResponse(_envelope(name, success=False, error=_error_body(error)), status=error.status)
    except Exception:
        logger.exception("CKAN action %s failed", name)
        return JsonResponse(
            _envelope(
                name,
                success=False,
                error={"__type": "Internal Server Error", "message": "Internal Server Error"},
            ),
            status=500,
        )
    return JsonResponse(_envelope(name, success=True, result=result))


def _error_body(error: CkanActionError) -> dict[str, Any]:
    body: dict[str, Any] = {"__type": error.error_type}
    if error.error_type == "Validation Error":
        body.update(error.fields)
    else:
        body["message"] = error.message
    body.update(error.extra)
    return body


@require_GET
def api_version(request: HttpRequest, version: int = 1) -> JsonResponse:
    return JsonResponse({"version": version})
