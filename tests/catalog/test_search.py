"""The search interface: the fq grammar, relevance, sort, facets, visibility and an index that is
updated in the same transaction as the dataset."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from cityhall.catalog import search_index, services
from cityhall.catalog.models import SearchEntry, SearchFacet
from cityhall.catalog.search import SearchParams, SearchQueryError, parse_query, search
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def names(**params: Any) -> list[str]:
    from cityhall.catalog.models import Dataset

    result = search(SearchParams(**params))
    by_id = Dataset.objects.in_bulk(result.dataset_ids)
    return [by_id[pk].name for pk in result.dataset_ids]


@pytest.fixture
def three(make_dataset: Any) -> None:
    parks = DepartmentFactory(slug="parks", name="Parks")
    make_dataset(name="trees", title="Street trees", keywords=["trees"], department=parks, themes=["ENVI"])
    make_dataset(
        name="tree-budget",
        title="Tree planting budget",
        description="Money for trees.",
        keywords=["budget"],
        themes=["ECON"],
        license_id="CC0-1.0",
    )
    make_dataset(name="air", title="Air quality", keywords=["air quality"], csv=True)


def test_the_grammar_reads_every_form_clients_send() -> None:
    assert parse_query("organization:a OR organization:b")[0] == "or"
    assert parse_query("-organization:x")[0] == "not"
    assert parse_query('tags:("a b" OR c)') == ("or", [("field", "tags", "a b"), ("field", "tags", "c")])
    assert parse_query("metadata_modified:[2024-05-01T09:11:12.123456Z TO *]")[0] == "range"
    assert parse_query("*:*") == ("all",)
    for broken in ("tags:(a OR b", "metadata_modified:[2024 TO]", "name:", "a )"):
        with pytest.raises(SearchQueryError):
            search(SearchParams(fq=[broken]))


def test_relevance_puts_title_matches_first(three: None) -> None:
    assert names(q="trees")[0] == "trees"
    assert set(names(q="tree")) == {"trees", "tree-budget"}
    assert names(q="budget trees") == ["tree-budget"]


def test_filters_sort_and_paging(three: None) -> None:
    assert names(fq=["organization:parks"]) == ["trees"]
    assert set(names(fq=["-organization:parks"])) == {"tree-budget", "air"}
    assert names(fq=["license_id:CC0-1.0"]) == ["tree-budget"]
    assert names(fq=["res_format:csv"]) == ["air"]
    assert names(fq=["groups:econ OR tags:trees"], sort="name asc") == ["tree-budget", "trees"]
    assert names(q="name:air") == ["air"]
    assert names(sort="name desc", rows=1, start=1) == ["tree-budget"]
    with pytest.raises(SearchQueryError):
        search(SearchParams(sort="colour asc"))


def test_facets_count_the_matching_datasets(three: None) -> None:
    result = search(SearchParams(q="tree", facet_fields=["organization", "tags", "groups"], facet_limit=1))
    assert result.count == 2
    assert len(result.facets["tags"]) == 1
    assert dict(result.facets["organization"]) in ({"environment": 1}, {"parks": 1})
    assert dict(search(SearchParams(facet_fields=["groups"])).facets["groups"]) == {"envi": 2, "econ": 1}


def test_private_and_draft_datasets_only_for_their_department(
    make_dataset: Any, publisher_department: Any
) -> None:
    make_dataset(name="secret", private=True)
    make_dataset(name="draft-one", state="draft")
    assert names() == []
    own = frozenset({publisher_department.pk})
    assert names(private_departments=own) == ["secret"]
    assert names(draft_departments=own) == ["draft-one"]
    assert names(private_departments=frozenset({DepartmentFactory().pk})) == []


def test_the_index_changes_with_the_dataset_in_one_transaction(make_dataset: Any) -> None:
    dataset = make_dataset(name="air", keywords=["air"])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dataset_update(actor=None, dataset=dataset, metadata={"keywords": ["smog"]})
        assert names(q="smog") == ["air"]
        raise RuntimeError("roll back")
    assert names(q="smog") == [] and names(q="air") == ["air"]
    assert set(
        SearchFacet.objects.filter(entry__dataset=dataset, term__field="tags").values_list(
            "term__value", flat=True
        )
    ) == {"air"}

    services.dataset_update(actor=None, dataset=dataset, metadata={"keywords": ["smog"]})
    assert names(q="smog") == ["air"] and names(fq=["tags:air"]) == []


def test_a_rebuild_keeps_one_entry_per_dataset(three: None) -> None:
    assert search_index.rebuild() == 3
    assert SearchEntry.objects.count() == 3
    assert names(q="tree", sort="name asc") == ["tree-budget", "trees"]


def test_the_entry_keeps_its_facet_term_ids_with_its_facet_rows(make_dataset: Any) -> None:
    dataset = make_dataset(name="air", keywords=["air"])
    services.dataset_update(actor=None, dataset=dataset, metadata={"keywords": ["smog"]})
    entry = SearchEntry.objects.get(dataset=dataset)
    assert entry.facet_terms == sorted(
        SearchFacet.objects.filter(entry=entry).values_list("term_id", flat=True)
    )
    assert names(fq=["tags:smog"]) == ["air"] and names(fq=["-tags:air"]) == ["air"]
    assert names(fq=["tags:unknown"]) == [] and names(fq=["-tags:unknown"]) == ["air"]
    assert names(q="air", fq=["-tags:unknown", "tags:*"]) == ["air"]
    result = search(SearchParams(q="air", facet_fields=["tags"], rows=0))
    assert result.count == 1 and result.dataset_ids == [] and result.facets == {"tags": [("smog", 1)]}
