"""core.rows.row_get on the voting models: a null foreign key, JSON, dates and booleans come back as the
ORM gives them (SQLite needs the fields' converters for all of them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import models

from cityhall.accounts.models import User
from cityhall.core.models import District
from cityhall.core.rows import row_get
from cityhall.voting import services
from cityhall.voting.models import Poll, PollBallot
from tests.voting.conftest import answers_for

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]}


def values(instance: models.Model) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_a_null_foreign_key_joins_as_none(poll: Poll, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        found = row_get(Poll, related=("district",), id=poll.pk, published=True)
        assert found is not None and found.district is None
    assert values(found) == values(Poll.objects.get(pk=poll.pk))
    assert isinstance(found.published, bool) and found.opens_at.tzinfo is not None


def test_a_set_foreign_key_joins_with_its_json(make_poll: Callable[..., Poll]) -> None:
    district = District.objects.create(
        slug="old-town", name="Old Town", boundary=SQUARE,
        min_latitude=0, min_longitude=0, max_latitude=1, max_longitude=1,
    )  # fmt: skip
    poll = make_poll(district_slug=district.slug)
    found = row_get(Poll, related=("district",), id=poll.pk)
    assert found is not None and found.district is not None
    assert found.district.boundary == SQUARE
    assert values(found.district) == values(District.objects.get(pk=district.pk))


def test_a_ballot_reads_back_its_json_answers(poll: Poll, resident: User) -> None:
    cast = services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    found = row_get(PollBallot, receipt=cast.receipt)
    assert found is not None
    assert found.answers == cast.ballot["answers"]
    assert values(found) == values(PollBallot.objects.get(receipt=cast.receipt))
