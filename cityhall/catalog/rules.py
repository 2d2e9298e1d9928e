"""Who may read and change which dataset."""

from __future__ import annotations

import uuid
from typing import Any

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments_with_permission, user_has_permission
from cityhall.catalog.models import Dataset, DatasetState


def can_publish(user: Any, department_id: uuid.UUID) -> bool:
    """Data publishers of the owning department (or a department above it). None is the platform."""
    if user is None:
        return True
    return user_has_permission(user, Permission.PUBLISH_DATASETS, department_id=department_id)


def can_edit_dataset(user: Any, dataset: Dataset) -> bool:
    return can_publish(user, dataset.department_id)


def member_departments(user: Any) -> frozenset[uuid.UUID]:
    """Departments whose private and draft datasets the user may see: where they hold a staff role."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return departments_with_permission(user, Permission.ACCESS_STAFF_AREA) | departments_with_permission(
        user, Permission.PUBLISH_DATASETS
    )


def publisher_departments(user: Any) -> frozenset[uuid.UUID]:
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return departments_with_permission(user, Permission.PUBLISH_DATASETS)


def can_read_dataset(user: Any, dataset: Dataset) -> bool:
    if dataset.state == DatasetState.PUBLISHED and not dataset.private:
        return True
    if dataset.state == DatasetState.DELETED:
        return user is not None and can_edit_dataset(user, dataset)
    return dataset.department_id in member_departments(user)
