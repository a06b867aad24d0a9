"""Running background work in tests: the task worker (in this process or as a real `db_worker`
process) and a local SMTP server (aiosmtpd) that can refuse, hold or reject mail.

Tests that run the worker need `django_db(transaction=True)`: the worker commits, and checks its
connection between tasks as a long-running process must (which would end a test's transaction).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management import call_command
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def run_tasks() -> None:
    """Run every task that is due now, as `manage.py db_worker --batch` does, in this process."""
    # The worker installs its own signal handlers (for a clean stop): give pytest its own back.
    handlers = {number: signal.getsignal(number) for number in _SIGNALS}
    try:
        call_command(
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval=0",
            "--queue-name=*",
            stdout=io.StringIO(),
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def wait_for(condition: Callable[[], object], timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting {timeout} s for {what or condition}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MailServer:
    """An SMTP server on 127.0.0.1 that keeps what it accepts.

    `refuse_first`: so many RCPT commands get "451 try again later" before any is accepted.
    `reject`: addresses that get "550 user unknown". `hold()`: MAIL commands wait until
    `release()`, so a client is stuck mid-conversation.
    """

    refuse_first: int = 0
    reject: set[str] = field(default_factory=set)
    port: int = field(default_factory=free_port)
    received: list[EmailMessage] = field(default_factory=list)
    refused: int = 0
    waiting_in_mail: int = 0

    def __post_init__(self):
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self._controller: Controller | None = None
        logging.getLogger("mail.log").setLevel(logging.WARNING)

    def start(self) -> MailServer:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._open.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]

    # aiosmtpd's handler hooks
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.waiting_in_mail += 1
        while not self._open.is_set():
            await asyncio.sleep(0.02)
        self.waiting_in_mail -= 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        with self._lock:
            if self.refused < self.refuse_first:
                self.refused += 1
                return "451 4.3.0 Too busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.received.append(message)
        return "250 Message accepted for delivery"


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def database_url() -> str:
    """The test database, as DATABASE_URL for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    """`manage.py db_worker` in a process of its own, against the test database and a MailServer."""

    def __init__(self, mail: MailServer, **environment: str):
        self.log = tempfile.NamedTemporaryFile(prefix="db_worker-", suffix=".log", delete=False)  # noqa: SIM115
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "betterway.settings",
            "DATABASE_URL": database_url(),
            # The worker makes the personal links: it must sign them as this process does.
            "SECRET_KEY": settings.SECRET_KEY,
            "SITE_URL": settings.SITE_URL,
            "DEBUG": "true",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail.port),
            "CONN_MAX_AGE": "0",
            **environment,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval=0.05",
                "--queue-name=*",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine or container dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)
