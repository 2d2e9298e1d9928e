"""Cached service definitions and district boundaries are dropped when what they copy changes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from cityhall.core.models import District
from cityhall.servicerequests import selectors
from cityhall.servicerequests.models import RoutingRule, ServiceAttribute, ServiceType


def _type_changing(sender: Any, instance: ServiceType, **kwargs: Any) -> None:
    if instance.pk:
        old = ServiceType.objects.filter(pk=instance.pk).values_list("code", flat=True).first()
        if old and old != instance.code:
            selectors.forget_service_definitions(old)


def _definitions_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    selectors.forget_service_definitions()


def _districts_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    selectors.forget_districts()


def connect() -> None:
    pre_save.connect(_type_changing, sender=ServiceType, dispatch_uid="servicerequests.type_changing")
    for model in (ServiceType, ServiceAttribute, RoutingRule):
        post_save.connect(
            _definitions_changed, sender=model, dispatch_uid=f"servicerequests.saved.{model.__name__}"
        )
        post_delete.connect(
            _definitions_changed, sender=model, dispatch_uid=f"servicerequests.deleted.{model.__name__}"
        )
    post_save.connect(_districts_changed, sender=District, dispatch_uid="servicerequests.district_saved")
    post_delete.connect(_districts_changed, sender=District, dispatch_uid="servicerequests.district_deleted")
