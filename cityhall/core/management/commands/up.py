"""`cityhall up`: what `make run` starts — migrate, demo city, static files, web server and worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def gunicorn_command(bind: str, workers: int, threads: int) -> list[str]:
    settings_by_flag = {
        "--config": "python:config.gunicorn_conf",
        "--bind": bind,
        "--workers": str(workers),
        "--threads": str(threads),
        "--worker-class": "gthread",
        "--timeout": "60",
        "--graceful-timeout": "20",
        "--max-requests": "10000",
        "--max-requests-jitter": "1000",
        "--forwarded-allow-ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    }
    flags = [part for pair in settings_by_flag.items() for part in pair]
    # --preload: the master imports Django once, so a worker recycled by --max-requests forks ready to
    # serve instead of spending seconds importing while its share of the requests waits (the p99 stalls
    # the Open311 benchmark showed). A code change therefore needs a restart, not a HUP.
    # No control socket: several servers run by one user would share ~/.gunicorn/gunicorn.ctl.
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        *flags,
        "--preload",
        "--no-control-socket",
    ]


class Command(BaseCommand):
    help = "Migrate, load the demo city, and run the production web server (gunicorn) with the task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo city.")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"]:
            call_command("demo")
        call_command("collectstatic", interactive=False, verbosity=0)

        bind = f"{options['host']}:{options['port']}"
        children = [subprocess.Popen(gunicorn_command(bind, options["workers"], options["threads"]))]
        if not options["no_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "cityhall.cli", "worker"]))
            children.append(subprocess.Popen([sys.executable, "-m", "cityhall.cli", "scheduler"]))

        host = options["host"] if options["host"] not in {"0.0.0.0", "::"} else "127.0.0.1"  # noqa: S104
        self.stdout.write(self.style.SUCCESS(f"\nCityhall is running at http://{host}:{options['port']}/"))
        self.stdout.write(f"API documentation: http://{host}:{options['port']}/api/v1/docs")
        self.stdout.write(f"Health: http://{host}:{options['port']}/healthz   (Ctrl+C stops everything)\n")
        sys.stdout.flush()

        def stop(signum: int, frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        stop(signal.SIGTERM, None)
        for child in children:
            try:
                child.wait(timeout=25)
            except subprocess.TimeoutExpired:
                child.kill()
            exit_code = exit_code or (child.returncode or 0)
        if exit_code not in (0, -signal.SIGTERM, -signal.SIGINT):
            sys.exit(exit_code)
