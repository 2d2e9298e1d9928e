"""Datasets in the site search: the catalog's own index answers, with public datasets only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from cityhall.core.search import SearchHit, SearchSection, register_provider
from cityhall.core.search import words as plain_words

KIND = "dataset"
SUMMARY_CHARS = 300


def section(text: str, language: str, limit: int) -> SearchSection:
    from cityhall.catalog.models import Dataset
    from cityhall.catalog.search import SearchParams, search

    # Plain words only (lower case, so "OR" is a word, not an operator): the site search box is not the
    # catalog's query language.
    query = " ".join(plain_words(text))
    more_url = reverse("catalog:search") + "?" + urlencode({"q": query})
    if not query:
        return SearchSection(KIND, (), 0, more_url)
    result = search(SearchParams(q=query, rows=limit))  # public, published datasets only
    datasets = Dataset.objects.in_bulk(result.dataset_ids)
    hits = []
    for dataset_id in result.dataset_ids:
        dataset = datasets.get(dataset_id)
        if dataset is None:
            continue
        title = dataset.title_translations.get(language) or dataset.title
        description = dataset.description_translations.get(language) or dataset.description
        shown = language if dataset.title_translations.get(language) else settings.LANGUAGE_CODE
        hits.append(
            SearchHit(
                KIND,
                title,
                description[:SUMMARY_CHARS],
                reverse("catalog:dataset", args=[dataset.name]),
                shown,
            )
        )
    return SearchSection(KIND, tuple(hits), result.count, more_url)


def register() -> None:
    register_provider(KIND, section)
