"""In-process measurements: server time and queries of each page and operation, with baselines.

Each figure is a list of zero-argument calls (one request or one operation each): the first few
warm caches, the next runs with its queries captured (they are counted and, on PostgreSQL, each
query touching the answer or response table is EXPLAINed), and the rest are timed one by one
with `time.perf_counter` around the whole call, so a page's time is the full request through
every middleware, as Django's test Client runs it. p50 and p95 come from `statistics.quantiles`.

Writes (saving a page, submitting, closing a cycle) get a fresh invitation, draft or open cycle
for every call, made beforehand by `prepare()` outside the timed part. Everything the benchmark
makes lives in places and users whose names start with `bench-`, and `cleanup()` deletes them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from assessments import services, tokens
from assessments.models import (
    Answer,
    Comment,
    Cycle,
    CycleResult,
    CycleStatus,
    DraftResponse,
    Invitation,
    QuestionBank,
    Response,
    RoleLevel,
    SpectrumType,
    Statement,
)
from bench import load_data
from bench.urls import MINIMAL_PATH
from places.models import Membership, Partner, Place, Role

PREFIX = "bench-"
BENCH_URLCONF = "bench.urls"
ANSWER_TABLE = Answer._meta.db_table
RESPONSE_TABLE = Response._meta.db_table
# A sequential scan of these grows with every response ever given: no page request may do one.
CHECKED_TABLES = (ANSWER_TABLE, RESPONSE_TABLE)

MINIMAL = "minimal Django view"
FLOOR = "SQL aggregate of one cycle"

# The floor: the least work any results computation must do, one GROUP BY over a cycle's answers.
FLOOR_SQL = (
    f"SELECT a.statement_id, r.partner_id, COUNT(*), COUNT(a.value), SUM(a.value) "  # noqa: S608
    f"FROM {ANSWER_TABLE} a JOIN {RESPONSE_TABLE} r ON r.id = a.response_id "
    "WHERE r.cycle_id = %s GROUP BY a.statement_id, r.partner_id"
)


class BenchmarkError(Exception):
    """The data or a response was not what the benchmark needs."""


@dataclass
class Figure:
    name: str
    times: list[float]  # seconds
    queries: int
    baseline: str | None = None  # the figure this one is compared with
    explained: int | None = None  # queries EXPLAINed (None: not checked)
    seq_scans: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return 1000 * percentile(self.times, 50)

    @property
    def p95(self) -> float:
        return 1000 * percentile(self.times, 95)


def percentile(times: list[float], p: int) -> float:
    if len(times) == 1:
        return times[0]
    return statistics.quantiles(times, n=100, method="inclusive")[p - 1]


# --- Measuring ------------------------------------------------------------------------------


def measure(
    name: str,
    calls: list[Callable[[], object]],
    *,
    warmup: int,
    baseline: str | None = None,
    explain: bool = True,
) -> Figure:
    """Warm up with calls[:warmup], capture calls[warmup], time the rest. See the docstring."""
    if len(calls) < warmup + 2:
        raise BenchmarkError(f"{name}: needs at least {warmup + 2} calls, got {len(calls)}")
    for call in calls[:warmup]:
        call()
    with CaptureQueriesContext(connection) as captured:
        calls[warmup]()
    # Copied now: the next request empties the connection's query log.
    queries = list(captured.captured_queries)
    times = []
    for call in calls[warmup + 1 :]:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    figure = Figure(name, times, len(queries), baseline)
    if explain and connection.vendor == "postgresql":
        figure.explained, figure.seq_scans = sequential_scans(queries)
    return figure


def sequential_scans(queries: list[dict]) -> tuple[int, list[str]]:
    """EXPLAIN each query that touches a checked table; list every Seq Scan of one."""
    explained, found = 0, []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            verb = sql.lstrip().split(None, 1)[0].upper()
            if verb not in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
                continue
            if not any(f'"{table}"' in sql or f" {table} " in sql for table in CHECKED_TABLES):
                continue
            # EXPLAIN without ANALYZE plans the statement and never runs it, writes included.
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            explained += 1
            for node in _plan_nodes(plan[0]["Plan"]):
                relation = node.get("Relation Name")
                if node["Node Type"] == "Seq Scan" and relation in CHECKED_TABLES:
                    found.append(f"Seq Scan on {relation}: {' '.join(sql.split())[:200]}")
    return explained, found


def _plan_nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def request(client: Client, method: str, path: str, data=None, expect: int = 200):
    """One request through the whole stack; anything but the expected status stops the run."""
    response = client.post(path, data) if method == "post" else client.get(path)
    if response.status_code != expect:
        raise BenchmarkError(f"{method.upper()} {path} answered {response.status_code}")
    return response


def _minimal_urlconf():
    if settings.ROOT_URLCONF == BENCH_URLCONF:
        return nullcontext()
    return override_settings(ROOT_URLCONF=BENCH_URLCONF)


# --- What is measured -----------------------------------------------------------------------


@dataclass
class Setup:
    """Everything the measurements need, made before any timing."""

    place: Place
    cycle: Cycle  # the place's latest released cycle
    places: int  # places the comparison covers
    member: object
    facilitator: object  # facilitates every generated place
    one_place_facilitator: object
    questionnaire_path: str
    page_data: dict
    save_paths: list[str]
    submit_paths: list[str]
    closing: list[Cycle]


def run(setup: Setup, *, iterations: int, warmup: int = 5) -> list[Figure]:
    """Every figure of the benchmark, baselines first."""
    anonymous = Client()
    member = Client()
    member.force_login(setup.member)
    facilitator = Client()
    facilitator.force_login(setup.facilitator)
    one_place = Client()
    one_place.force_login(setup.one_place_facilitator)
    n = warmup + 1 + iterations

    def get(client, path, expect=200):
        return lambda: request(client, "get", path, expect=expect)

    with _minimal_urlconf():
        minimal = measure(MINIMAL, [get(anonymous, MINIMAL_PATH)] * n, warmup=warmup, explain=False)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [setup.cycle.pk])
            return cursor.fetchall()

    figures = [minimal, measure(FLOOR, [floor] * n, warmup=warmup)]

    slug, cycle_id = setup.place.slug, setup.cycle.pk
    dashboard = reverse("dashboard", args=[slug, cycle_id])
    csv = reverse("dashboard_csv", args=[slug, cycle_id])
    comparison = reverse("comparison")
    figures += [
        measure("place dashboard", [get(member, dashboard)] * n, warmup=warmup, baseline=MINIMAL),
        measure(
            f"comparison of {setup.places:,} places",
            [get(facilitator, comparison)] * n,
            warmup=warmup,
            baseline=MINIMAL,
        ),
        measure(
            "comparison of 1 place",
            [get(one_place, comparison)] * n,
            warmup=warmup,
            baseline=MINIMAL,
        ),
        measure(
            "questionnaire page",
            [get(anonymous, setup.questionnaire_path)] * n,
            warmup=warmup,
            baseline=MINIMAL,
        ),
        measure(
            "saving a page",
            [
                lambda path=path: request(anonymous, "post", path, setup.page_data, expect=302)
                for path in setup.save_paths
            ],
            warmup=warmup,
            baseline=MINIMAL,
        ),
        measure(
            "submitting",
            [
                lambda path=path: request(anonymous, "post", path, expect=302)
                for path in setup.submit_paths
            ],
            warmup=warmup,
            baseline=MINIMAL,
        ),
        measure(
            "closing a 30-respondent cycle",
            [lambda cycle=cycle: services.close_cycle(cycle) for cycle in setup.closing],
            warmup=min(warmup, 2),
            baseline=FLOOR,
        ),
        measure("CSV export", [get(member, csv)] * n, warmup=warmup, baseline=MINIMAL),
    ]
    return figures


# --- Making what is measured ----------------------------------------------------------------


def cleanup() -> None:
    """Delete everything a benchmark run made (also what an interrupted run left)."""
    places = Place.objects.filter(slug__startswith=PREFIX)
    with transaction.atomic():
        Cycle.objects.filter(place__in=places).delete()  # responses protect their partners
        places.delete()
        get_user_model().objects.filter(username__startswith=PREFIX).delete()


def vacuum() -> None:
    """VACUUM (ANALYZE) the tables a run writes to, on PostgreSQL, outside any transaction.

    Every run leaves some 70,000 dead answers behind: its closing fixtures' answers, rewritten
    when each cycle closes, and the rewritten ones, deleted by `cleanup`. A server with
    autovacuum clears them; where it is off (as on the machines of docs/PERFORMANCE.md) they pile
    up from run to run: with 830,000 of them (a morning's runs), the dashboard's, the
    comparison's and closing's p95 were a tenth to a fifth above what they were once vacuumed
    (three runs before against three after, minutes apart). So each run starts from tables as a
    maintained server keeps them.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # SQLite, or a test's transaction, where VACUUM cannot run
    models = (Answer, Response, Comment, DraftResponse, Invitation, Cycle, CycleResult)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")  # noqa: S608 (names from the models)


def prepare(
    *,
    iterations: int,
    close_iterations: int,
    warmup: int = 5,
    respondents: int = 30,
    place_slug: str | None = None,
    seed: int = 1,
) -> Setup:
    """Make the fixtures of one run on top of generated load data (see bench/load_data.py)."""
    cleanup()
    vacuum()
    # A seed of its own: the generator draws response ids from its seed too, and the same number
    # there and here would draw the same ids (and fail on the primary key).
    rng = random.Random(f"benchmark-{seed}")
    places = Place.objects.filter(slug__startswith=load_data.SLUG_PREFIX)
    place = (
        places.filter(slug=place_slug).first() if place_slug else places.order_by("slug").first()
    )
    if place is None:
        raise BenchmarkError("No generated place found: run manage.py generate_load_data first.")
    cycle = (
        Cycle.objects.filter(place=place, status=CycleStatus.RELEASED, result__isnull=False)
        .order_by("-closed_at")
        .first()
    )
    member = Membership.objects.filter(place=place, role=Role.MEMBER).first()
    facilitator = get_user_model().objects.filter(username=load_data.FACILITATOR).first()
    if cycle is None or member is None or facilitator is None:
        raise BenchmarkError(f"{place.slug} has no released results, member or facilitator.")
    User = get_user_model()
    one_place_facilitator = User.objects.create(
        username=f"{PREFIX}facilitator", password=make_password(None)
    )
    Membership.objects.create(user=one_place_facilitator, place=place, role=Role.FACILITATOR)

    bank = load_data.default_bank()
    respond_place = Place.objects.create(name="Benchmark place", slug=f"{PREFIX}respond")
    partners = Partner.objects.bulk_create(load_data.partners_for(respond_place, "Benchmark"))
    open_cycle = _open_cycle(respond_place, bank, "Benchmark round")
    statements = list(Statement.objects.for_bank(bank).select_related("condition"))
    first_condition = min(statements, key=lambda s: (s.condition.order, s.condition.pk)).condition
    page_data = {
        f"s{s.pk}": str(rng.randint(1, 5))
        for s in statements
        if s.condition_id == first_condition.pk
    } | {"comment": "", "action": "next"}
    complete = {str(s.pk): rng.randint(1, 5) for s in statements}

    calls = warmup + 1 + iterations
    started = _invitations(open_cycle, partners, 1, "page", step=1)
    saving = _invitations(open_cycle, partners, calls, "save", step=1)
    submitting = _invitations(
        open_cycle,
        partners,
        calls,
        "submit",
        step=len({s.condition_id for s in statements}) + 2,
        answers=complete,
        spectrum=SpectrumType.STRONG,
    )

    closing = []
    partner_weights = [
        (p, weight) for p, (*_, weight) in zip(partners, load_data.PARTNERS, strict=True)
    ]
    pairs = [(s.pk, s.reverse_keyed) for s in statements]
    for n in range(min(warmup, 2) + 1 + close_iterations):
        to_close = _open_cycle(respond_place, bank, f"Benchmark closing {n + 1}")
        load_data.insert_responses(
            load_data.draw_responses(
                to_close.pk,
                partner_weights,
                pairs,
                respondents,
                rng.uniform(40, 80),
                timezone.localdate(),
                rng,
            )
        )
        # A few people who started and never submitted: closing discards their drafts.
        _invitations(to_close, partners, 3, f"closing{n}", step=2, answers=complete)
        closing.append(to_close)

    return Setup(
        place=place,
        cycle=cycle,
        places=places.count(),
        member=member.user,
        facilitator=facilitator,
        one_place_facilitator=one_place_facilitator,
        questionnaire_path=reverse("respond_page", args=[started[0], 1]),
        page_data=page_data,
        save_paths=[reverse("respond_page", args=[token, 1]) for token in saving],
        submit_paths=[reverse("respond_submit", args=[token]) for token in submitting],
        closing=list(
            Cycle.objects.filter(pk__in=[c.pk for c in closing])
            .select_related("bank", "place")
            .order_by("pk")
        ),
    )


def _open_cycle(place: Place, bank: QuestionBank, name: str) -> Cycle:
    today = timezone.localdate()
    return Cycle.objects.create(
        place=place,
        bank=bank,
        name=name,
        status=CycleStatus.OPEN,
        opens_on=today,
        closes_on=today + dt.timedelta(days=28),
        opened_at=timezone.now(),
    )


def _invitations(
    cycle: Cycle,
    partners: list[Partner],
    count: int,
    label: str,
    *,
    step: int,
    answers: dict | None = None,
    spectrum: str = "",
) -> list[str]:
    """`count` invitations, each with a draft that has confirmed its partner and role; returns
    their link tokens."""
    salts = [tokens.new_salt() for _ in range(count)]
    invitations = Invitation.objects.bulk_create(
        Invitation(
            cycle=cycle,
            partner=partners[n % len(partners)],
            name=f"Benchmark {label} {n}",
            email=f"{label}-{n}@bench.example.org",
            token_salt=salt,
            token_hash=tokens.hash_token(tokens.token_for(salt)),
        )
        for n, salt in enumerate(salts)
    )
    DraftResponse.objects.bulk_create(
        DraftResponse(
            invitation_id=invitation.pk,
            partner=invitation.partner,
            role_level=RoleLevel.FRONT_LINE,
            step=step,
            answers=dict(answers or {}),
            spectrum_choice=spectrum,
        )
        for invitation in invitations
    )
    return [tokens.token_for(salt) for salt in salts]
