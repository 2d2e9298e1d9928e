from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.documents import services
from cityhall.documents.models import Document
from tests.factories import DepartmentFactory

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def works(db: Any) -> Department:
    return DepartmentFactory(name="Public Works", slug="public-works")


@pytest.fixture
def social(db: Any) -> Department:
    return DepartmentFactory(name="Social Services", slug="social")


@pytest.fixture
def clerk(make_user: Callable[..., User], works: Department) -> User:
    return make_user(Role.DEPARTMENT_STAFF, works, full_name="Dana Official", email="dana@city.example")


@pytest.fixture
def register(clerk: User, works: Department) -> Callable[..., Document]:
    def _register(
        *,
        content: bytes = PDF,
        classification: str = "public",
        title: str = "Road works permit",
        actor: Any = "clerk",
        **extra: Any,
    ) -> Document:
        return services.document_register(
            actor=clerk if actor == "clerk" else actor,
            department_id=extra.pop("department_id", works.pk),
            title=title,
            file_name=extra.pop("file_name", "permit.pdf"),
            content=content,
            media_type=extra.pop("media_type", "application/pdf"),
            classification=classification,
            **extra,
        )

    return _register
