"""`cityhall demo`: load the demo city. Safe to run again: nothing is duplicated."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cityhall.accounts.facade import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, accounts_demo_load
from cityhall.alerts.facade import demo_load as alerts_demo_load
from cityhall.catalog.facade import demo_load as catalog_demo_load
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.datastore.facade import demo_load as datastore_demo_load
from cityhall.dcat.facade import demo_load as dcat_demo_load
from cityhall.decisions.facade import demo_load as decisions_demo_load
from cityhall.documents.facade import demo_load as documents_demo_load
from cityhall.engagement.facade import demo_load as engagement_demo_load
from cityhall.foi.facade import demo_load as foi_demo_load
from cityhall.operating.facade import demo_load as operating_demo_load
from cityhall.portal.facade import portal_demo_load
from cityhall.servicerequests.facade import demo_load as servicerequests_demo_load
from cityhall.voting.facade import demo_load as voting_demo_load


class Command(BaseCommand):
    help = "Load (or refresh) the demo city Aldermere, with one account per role."

    def handle(self, *args: Any, **options: Any) -> None:
        def log(line: str) -> None:
            self.stdout.write(f"  demo: {line}")

        # Each module adds its part, in dependency order. Later modules append themselves here.
        place_demo_load(log)
        accounts_demo_load(log)
        servicerequests_demo_load(log)
        alerts_demo_load(log)
        operating_demo_load(log)
        documents_demo_load(log)
        decisions_demo_load(log)
        catalog_demo_load(log)
        datastore_demo_load(log)
        dcat_demo_load(log)
        engagement_demo_load(log)
        voting_demo_load(log)
        foi_demo_load(log)
        portal_demo_load(log)  # after the modules whose content it links to and indexes

        self.stdout.write(self.style.SUCCESS("\nDemo city Aldermere is loaded. Sign in as:"))
        for demo in DEMO_USERS:
            role = demo.role.label if demo.role else "Resident"
            self.stdout.write(f"  {demo.email:<28} {role}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(
            f"Staff accounts ask for an authenticator code; add this secret to any TOTP app: "
            f"{DEMO_TOTP_SECRET}"
        )
