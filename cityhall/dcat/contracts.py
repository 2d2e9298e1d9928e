"""What other apps may know about dcat: vocabularies and frozen records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class QualityMessage(NamedTuple):
    severity: str  # "violation" | "warning" | "info"
    path: str  # the property, as a prefixed name: "dcat:contactPoint"
    message: str  # a plain-language sentence saying what to add or fix


@dataclass(frozen=True, slots=True)
class QualityReport:
    """The DCAT-AP metadata quality of one dataset version, from the SHACL shapes."""

    score: int  # 0..100
    messages: tuple[QualityMessage, ...]
    conforms: bool  # no sh:Violation: the dataset may be published as DCAT-AP


class HarvestType(models.TextChoices):
    CKAN = "ckan", _("CKAN site (Action API)")
    DCAT = "dcat", _("DCAT-AP catalogue (Turtle or RDF/XML)")


class HarvestStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIAL = "partial", _("Finished with errors")
    FAILED = "failed", _("Failed")
