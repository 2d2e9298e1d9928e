"""core.rows.row_get: the same instances the ORM gives, with its SQL built once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import models

from cityhall.accounts.models import ApiToken, User
from cityhall.accounts.services import _hash_secret, api_token_create
from cityhall.core.rows import row_get

pytestmark = pytest.mark.django_db


def values(instance: models.Model) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_a_row_is_the_instance_the_orm_reads_with_its_relation_joined(
    make_user: Callable[..., User], django_assert_num_queries: Any
) -> None:
    token, secret = api_token_create(actor=None, user=make_user(), name="script")
    expected = ApiToken.objects.select_related("user").get(pk=token.pk)
    with django_assert_num_queries(1):
        found = row_get(ApiToken, related=("user",), secret_hash=_hash_secret(secret))
        assert found is not None
        assert found.user.email == expected.user.email  # joined: no second query
    assert type(found) is ApiToken and found._state.adding is False and found._state.db == "default"
    assert values(found) == values(expected)
    assert values(found.user) == values(expected.user)


def test_no_row_is_none(make_user: Callable[..., User]) -> None:
    api_token_create(actor=None, user=make_user(), name="script")
    assert row_get(ApiToken, related=("user",), secret_hash=_hash_secret("chk_not-a-token")) is None


def test_several_columns_must_all_match(make_user: Callable[..., User]) -> None:
    token, _secret = api_token_create(actor=None, user=make_user(), name="script")
    assert row_get(ApiToken, id=token.pk, name="script") is not None
    assert row_get(ApiToken, id=token.pk, name="another") is None


def test_only_foreign_keys_can_be_joined(make_user: Callable[..., User]) -> None:
    with pytest.raises(TypeError, match="not a foreign key"):
        row_get(ApiToken, related=("name",), id=make_user().pk)
