"""Keeping the catalog search index in step with the datasets, one dataset at a time.

`index_dataset` runs inside the transaction that changed the dataset: the entry row (with its facet
term ids), its facet rows and the full-text index (FTS5 triggers on SQLite, the tsvector on PostgreSQL)
commit or roll back together with the change, so readers see either the old entry or the new one, never
a gap.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from cityhall.catalog.models import Dataset, DatasetState, SearchEntry, SearchFacet, SearchTerm

CKAN_STATE = {DatasetState.PUBLISHED: "active", DatasetState.DRAFT: "draft", DatasetState.DELETED: "deleted"}
FACET_VALUE_MAX = 200

POSTGRES_VECTOR_SQL = """
UPDATE catalog_searchentry SET search_vector =
    setweight(to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(title, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(keywords, '')), 'B')
    || setweight(to_tsvector('simple', coalesce(body, '')), 'C')
WHERE id = ANY(%s)
"""


def _department(dataset: Dataset) -> Any:
    return dataset.department


def entry_values(dataset: Dataset, distributions: list[Any]) -> dict[str, Any]:
    department = _department(dataset)
    titles = [dataset.title, *dataset.title_translations.values()]
    descriptions = [dataset.description, *dataset.description_translations.values()]
    body = " ".join(
        [
            *descriptions,
            department.name,
            *department.name_translations.values(),
            *(d.name for d in distributions),
            *(d.description for d in distributions),
            *(d.format for d in distributions),
            dataset.spatial,
        ]
    )
    return {
        "name": dataset.name,
        "title": " ".join(titles),
        "title_sort": dataset.title.lower()[:300],
        "keywords": " ".join([*dataset.keywords, *dataset.themes]),
        "body": body,
        "department_id": dataset.department_id,
        "state": CKAN_STATE[DatasetState(dataset.state)],
        "private": dataset.private,
        "metadata_created": dataset.created_at,
        "metadata_modified": dataset.metadata_modified,
    }


def facet_values(dataset: Dataset, distributions: list[Any]) -> set[tuple[str, str]]:
    values = {("organization", _department(dataset).slug), ("license_id", dataset.license_id)}
    values |= {("groups", theme.lower()) for theme in dataset.themes}
    values |= {("tags", keyword) for keyword in dataset.keywords}
    values |= {("res_format", d.format) for d in distributions if d.format}
    values |= {(f"extras_{key}"[:60], str(value)) for key, value in dataset.extras.items()}
    return {(field, value[:FACET_VALUE_MAX]) for field, value in values if value}


@transaction.atomic
def index_dataset(dataset: Dataset) -> None:
    """Write (or rewrite) the dataset's index entry and facets in the caller's transaction."""
    distributions = list(dataset.distributions.all())
    terms = sorted(term_ids(facet_values(dataset, distributions)).values())
    values = {**entry_values(dataset, distributions), "facet_terms": terms}
    entry, created = SearchEntry.objects.get_or_create(dataset=dataset, defaults=values)
    if not created:
        for field, value in values.items():
            setattr(entry, field, value)
        entry.save(update_fields=list(values))
        entry.facets.all().delete()
    SearchFacet.objects.bulk_create([SearchFacet(entry=entry, term_id=term) for term in terms])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRES_VECTOR_SQL, [[entry.pk]])


def term_ids(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The ids of these (field, value) terms, creating the missing ones."""
    if not pairs:
        return {}
    fields = {field for field, _value in pairs}
    values = {value for _field, value in pairs}

    def known() -> dict[tuple[str, str], int]:
        rows = SearchTerm.objects.filter(field__in=fields, value__in=values).values_list(
            "field", "value", "id"
        )
        return {(field, value): pk for field, value, pk in rows if (field, value) in pairs}

    found = known()
    missing = pairs - set(found)
    if missing:
        SearchTerm.objects.bulk_create(
            [SearchTerm(field=field, value=value) for field, value in sorted(missing)], ignore_conflicts=True
        )
        found = known()
    return found


def refresh_vectors(entry_ids: list[int]) -> None:
    """PostgreSQL: compute the tsvector of many entries at once (bulk loads, the rebuild command)."""
    if connection.vendor == "postgresql" and entry_ids:
        with connection.cursor() as cursor:
            cursor.execute(POSTGRES_VECTOR_SQL, [entry_ids])


@transaction.atomic
def rebuild() -> int:
    """Re-index every dataset in one transaction (repairs an index after a restore). Readers keep
    seeing the old entries until it commits."""
    count = 0
    for dataset in (
        Dataset.objects.select_related("department")
        .prefetch_related("distributions")
        .iterator(chunk_size=500)
    ):
        index_dataset(dataset)
        count += 1
    analyze()
    return count


def analyze() -> None:
    """Refresh the planner statistics of the index tables (after a rebuild or a bulk load): SQLite only
    reads matches through the covering index when it has them, and PostgreSQL estimates the facet
    filters from the term id arrays' element statistics."""
    with connection.cursor() as cursor:
        for table in ("catalog_searchentry", "catalog_searchfacet", "catalog_searchterm"):
            cursor.execute(f"ANALYZE {table}")  # the three constant names above
