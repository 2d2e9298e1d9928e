from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1/ (as checked in at docs/api/openapi.json)."

    def handle(self, *args: Any, **options: Any) -> None:
        api = import_string(settings.CITYHALL_API)  # the root API is named in settings, like ROOT_URLCONF
        schema = api.get_openapi_schema(path_prefix="/api/v1")
        self.stdout.write(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False))
