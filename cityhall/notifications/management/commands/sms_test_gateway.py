"""`cityhall sms_test_gateway`: the local test SMS gateway, for trying SMS alerts on one machine."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cityhall.notifications.testgateway import LocalSmsGateway


class Command(BaseCommand):
    help = "Run a local SMS gateway on 127.0.0.1 that accepts and prints messages (never sends any)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument("--token", default="", help="Bearer token to require (SMS_GATEWAY_TOKEN).")

    def handle(self, *args: Any, port: int, token: str, **options: Any) -> None:
        with LocalSmsGateway(port=port, token=token) as gateway:
            self.stdout.write(f"SMS test gateway at {gateway.url} — set SMS_GATEWAY_URL to it. Ctrl+C stops.")
            shown = 0
            try:
                while True:
                    time.sleep(0.5)
                    messages = list(gateway.accepted.values())
                    for message in messages[shown:]:
                        self.stdout.write(f"{message['to']}: {message['body']}")
                    shown = len(messages)
            except KeyboardInterrupt:
                self.stdout.write(f"{len(gateway.accepted)} messages accepted.")
