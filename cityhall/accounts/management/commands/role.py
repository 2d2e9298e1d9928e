from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.accounts.services import role_assign, role_revoke
from cityhall.core.errors import ServiceError

STAFF_ROLE_NAMES = [role.value for role in Role if role != Role.RESIDENT]


class Command(BaseCommand):
    help = "Give or take a staff role: `cityhall role assign --user EMAIL --role ROLE [--department SLUG]`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["assign", "revoke"])
        parser.add_argument("--user", required=True, help="Email address of the account.")
        parser.add_argument("--role", required=True, choices=STAFF_ROLE_NAMES)
        parser.add_argument("--department", help="Department slug; leave out for a city-wide role.")

    def handle(
        self, *args: Any, action: str, user: str, role: str, department: str | None, **options: Any
    ) -> None:
        account = User.objects.filter(email__iexact=user.strip()).first()
        if account is None:
            raise CommandError(f"There is no account with the email address {user}.")
        unit = None
        if department:
            unit = Department.objects.filter(slug=department).first()
            if unit is None:
                raise CommandError(f"There is no department with the slug {department!r}.")
        try:
            if action == "assign":
                role_assign(actor=None, user=account, role=Role(role), department=unit)
            else:
                role_revoke(actor=None, user=account, role=Role(role), department=unit)
        except ServiceError as error:
            raise CommandError(error.message) from error
        where = unit.name if unit else "the whole city"
        verb = "now has" if action == "assign" else "no longer has"
        self.stdout.write(f"{account.email} {verb} the role {role} for {where}.")
