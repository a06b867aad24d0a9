"""Measure the two figures of issue 17 (docs/PERFORMANCE.md, "Emails and background work"):

1. importing 10,000 invitees: one POST of the invitation form, through every middleware, into an
   open cycle (the heavier case: its emails and their tasks are queued too), beside the floor of
   the same run: inserting the 10,000 invitation rows alone with one bulk_create;
2. emails per second through one `db_worker` process against a local SMTP server (aiosmtpd, in
   this process), beside the floor of the same run: this process sending the same number of
   messages over one SMTP connection, with no database.

Everything it makes is in a place named `bench-emails`, deleted at the end; addresses are at
`bench.invalid`, a domain that cannot exist. The imports' queued tasks stay, and do nothing when a
worker runs them (their deliveries are gone).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import services, tokens
from assessments.banks import load_default_bank
from assessments.models import Cycle, CycleStatus, DeliveryStatus, Invitation, QuestionBank
from places.models import Membership, Partner, Place, Role, Sector, Size

SLUG = "bench-emails"
USERNAME = "bench-emails-facilitator"
IMPORT_TARGET_SECONDS = 3.0


class _Counting:
    """aiosmtpd handler: accepts everything and counts it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = 0
        self.recipients: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received += 1
            self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


class Command(BaseCommand):
    help = (
        "Measure importing invitees in one request, and emails per second through one worker "
        "against a local SMTP server. Run on PostgreSQL with DJANGO_SETTINGS_MODULE=bench.settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--invitees", type=int, default=10_000, help="People per import.")
        parser.add_argument("--repeat", type=int, default=3, help="Timed imports.")
        parser.add_argument("--emails", type=int, default=2_000, help="Emails the worker sends.")
        parser.add_argument("--timeout", type=float, default=600, help="Seconds to wait for them.")

    def handle(self, *args, **options):
        write = self.stdout.write
        if settings.DEBUG:
            write(self.style.WARNING("DEBUG is on: use DJANGO_SETTINGS_MODULE=bench.settings."))
        load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
        write(
            f"Email benchmark {dt.datetime.now():%Y-%m-%d %H:%M}: {connection.display_name}, "
            f"{os.cpu_count()} cores, load average {load}"
        )
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's every command
        _cleanup()
        try:
            place, user = _setup()
            # Sending first: the imports queue tasks that a worker started later would run too.
            self._sending(place, options["emails"], options["timeout"])
            self._imports(place, user, options["invitees"], options["repeat"])
        finally:
            _cleanup()

    # --- 1. The import ---

    def _imports(self, place: Place, user, invitees: int, repeat: int) -> None:
        write = self.stdout.write
        client = Client()
        client.force_login(user)
        partners = list(place.partners.values_list("name", flat=True))
        _import(client, place, _lines(5, partners, "warm"))  # warm up: URLs, templates, forms
        timings, cpu = [], []
        for run in range(repeat):
            text = _lines(invitees, partners, f"r{run}")
            started, app, database = time.perf_counter(), time.process_time(), _database_cpu()
            cycle = _import(client, place, text)
            timings.append(time.perf_counter() - started)
            cpu.append((time.process_time() - app, _database_cpu() - database))
            if cycle.invitations.count() != invitees:
                raise CommandError("The import did not invite everyone: see its form errors.")
        text = _lines(invitees, partners, "q")
        with CaptureQueriesContext(connection) as queries:
            _import(client, place, text)
        floor = _floor(place, invitees)
        median = statistics.median(timings)
        write(f"  import of {invitees:,} invitees (one POST, open cycle):")
        write(f"    runs: {', '.join(f'{t:.2f} s' for t in timings)}; median {median:.2f} s")
        write(
            "    CPU of each run, this process + its database server process: "
            + ", ".join(f"{app:.2f} + {database:.2f} s" for app, database in cpu)
        )
        write(f"    {len(queries)} queries (counted in a run of its own)")
        write(f"    floor, bulk_create of the invitation rows alone: {floor:.2f} s")
        write(f"    median / floor: {median / floor:.1f}")
        verdict = "met" if max(timings) < IMPORT_TARGET_SECONDS else "MISSED"
        write(f"    target: every run under {IMPORT_TARGET_SECONDS:.0f} s — {verdict}")

    # --- 2. Sending ---

    def _sending(self, place: Place, emails: int, timeout: float) -> None:
        write = self.stdout.write
        handler = _Counting()
        port = _free_port()
        server = Controller(handler, hostname="127.0.0.1", port=port)
        server.start()
        try:
            direct = _send_directly(port, emails)
            handler.received = 0
            handler.recipients.clear()
            cycle = _cycle(place, "Sending", CycleStatus.DRAFT)
            partner = place.partners.first()
            services.create_invitations(
                cycle,
                [
                    services.InviteeLine(f"Sam {n}", f"send-{n}@bench.invalid", partner)
                    for n in range(emails)
                ],
            )
            worker, log = _start_worker(port)
            try:
                # Not measured: the worker's start-up, and any tasks already queued (an earlier
                # run's imports leave some, which find their deliveries gone and do nothing).
                time.sleep(3)
                while DBTaskResult.objects.ready().exists():
                    if worker.poll() is not None:
                        raise CommandError(f"The worker stopped: {_tail(log)}")
                    time.sleep(0.2)
                started, worker_cpu = time.perf_counter(), _process_cpu(worker.pid)
                services.open_cycle(cycle)
                sent = cycle.deliveries.filter(status=DeliveryStatus.SENT)
                while sent.count() < emails:
                    if time.perf_counter() - started > timeout:
                        raise CommandError(f"Gave up after {timeout} s: {_tail(log)}")
                    if worker.poll() is not None:
                        raise CommandError(f"The worker stopped: {_tail(log)}")
                    time.sleep(0.1)
                elapsed = time.perf_counter() - started
                worker_cpu = _process_cpu(worker.pid) - worker_cpu
            finally:
                worker.terminate()
                worker.wait(timeout=30)
                Path(log).unlink(missing_ok=True)
        finally:
            server.stop()
        duplicates = handler.received - len(handler.recipients)
        rate = emails / elapsed
        write(f"  {emails:,} invitation emails through one worker to a local SMTP server:")
        write(
            f"    {elapsed:.1f} s from opening the cycle to the last marked sent: "
            f"{rate:.0f} emails/s ({1000 / rate:.1f} ms each)"
        )
        write(f"    the worker's CPU: {1000 * worker_cpu / emails:.1f} ms an email")
        write(f"    received {handler.received:,}, duplicates {duplicates}")
        write(f"    floor, one SMTP connection and no database: {direct:.0f} emails/s")
        write(f"    worker / floor: {rate / direct:.2f}")


def _setup() -> tuple[Place, object]:
    load_default_bank()
    place = Place.objects.create(name="Benchmark (emails)", slug=SLUG)
    Partner.objects.bulk_create(
        Partner(place=place, name=f"Partner {n}", sector=Sector.VOLUNTARY, size=Size.SMALL)
        for n in range(6)
    )
    user = get_user_model().objects.create_user(USERNAME, f"{USERNAME}@bench.invalid")
    Membership.objects.create(user=user, place=place, role=Role.FACILITATOR)
    return place, user


def _cleanup() -> None:
    # Deliveries go with their cycles; a task left queued then finds no delivery and does nothing.
    Cycle.objects.filter(place__slug=SLUG).delete()  # first: invitations protect their partners
    Place.objects.filter(slug=SLUG).delete()
    get_user_model().objects.filter(username=USERNAME).delete()


def _cycle(place: Place, name: str, status: str) -> Cycle:
    today = timezone.localdate()
    cycle = Cycle.objects.create(
        place=place,
        bank=QuestionBank.objects.published().first(),
        name=name,
        opens_on=today,
        closes_on=today + dt.timedelta(days=28),
    )
    if status == CycleStatus.OPEN:
        # A place has one open round at a time: the benchmark's previous round, measured
        # already, steps aside (closed without results; the place is deleted at the end).
        Cycle.objects.filter(place=place, status=CycleStatus.OPEN).update(
            status=CycleStatus.CLOSED, closed_at=timezone.now()
        )
        services.open_cycle(cycle)
    return cycle


def _lines(count: int, partners: list[str], tag: str) -> str:
    return "\n".join(
        f"Person {n}, {tag}-{n}@bench.invalid, {partners[n % len(partners)]}" for n in range(count)
    )


def _import(client: Client, place: Place, text: str) -> Cycle:
    cycle = _cycle(place, f"Import {time.monotonic_ns()}", CycleStatus.OPEN)
    url = reverse("invitation_import", args=[place.slug, cycle.pk])
    response = client.post(url, {"lines": text})
    if response.status_code != 302:
        raise CommandError(f"The import answered {response.status_code}, not a redirect.")
    return cycle


def _floor(place: Place, count: int) -> float:
    cycle = _cycle(place, "Floor", CycleStatus.OPEN)
    partner = place.partners.first()
    rows = []
    for n in range(count):
        salt = tokens.new_salt()
        rows.append(
            Invitation(
                cycle=cycle,
                partner=partner,
                name=f"Person {n}",
                email=f"floor-{n}@bench.invalid",
                token_salt=salt,
                token_hash=tokens.hash_token(tokens.token_for(salt)),
            )
        )
    started = time.perf_counter()
    Invitation.objects.bulk_create(rows)
    return time.perf_counter() - started


def _database_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL server process (0 elsewhere): on
    a busy machine, wall time says little on its own."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return _process_cpu(pid)


def _process_cpu(pid: int) -> float:
    """CPU seconds a process has used so far, from /proc (0 where it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime, fields 14 and 15 of proc(5), counted from after the command's name
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _smtp_mailers(port: int) -> dict:
    options = {"host": "127.0.0.1", "port": port, "timeout": 30}
    return {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    }


def _send_directly(port: int, count: int) -> float:
    body = "Hello,\n\n" + "A line of an invitation's text, as long as ours are.\n" * 30
    with override_settings(MAILERS=_smtp_mailers(port)):
        mailer = mailers.default
        messages = [
            EmailMessage("You are invited", body, None, [f"direct-{n}@bench.invalid"])
            for n in range(count)
        ]
        started = time.perf_counter()
        with mailer:
            for message in messages:
                mailer.send_messages([message])
        return count / (time.perf_counter() - started)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(port: int) -> tuple[subprocess.Popen, str]:
    log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)  # noqa: SIM115
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": settings.SITE_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log.name


def _tail(log: str) -> str:
    return Path(log).read_text(errors="replace")[-2000:]
