from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityhall.accounts.models import User
from cityhall.accounts.services import api_token_create
from cityhall.core.errors import ServiceError


class Command(BaseCommand):
    help = "API tokens. `cityhall token create --user EMAIL` prints a new token as its last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--user", required=True, help="Email address of the token's owner.")
        parser.add_argument("--name", default="command line", help="What will use the token.")
        parser.add_argument("--days", type=int, default=None, help="Days until it expires.")

    def handle(self, *args: Any, action: str, user: str, name: str, days: int | None, **options: Any) -> None:
        owner = User.objects.filter(email__iexact=user.strip()).first()
        if owner is None:
            raise CommandError(f"There is no account with the email address {user}.")
        try:
            token, secret = api_token_create(actor=None, user=owner, name=name, expires_in_days=days)
        except ServiceError as error:
            raise CommandError(error.message) from error
        self.stderr.write(f"Token “{token.name}” for {owner.email}, expires {token.expires_at:%Y-%m-%d}:")
        self.stdout.write(secret)
