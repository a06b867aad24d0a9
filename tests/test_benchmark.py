"""The load data generator and the benchmark's measuring functions, at a tiny size.

The full-size run is `manage.py benchmark` on PostgreSQL (docs/PERFORMANCE.md); here the same
code runs small on the test database, to show that it works and that no page's query count
grows with the data.
"""

from __future__ import annotations

import ast

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Answer, Cycle, CycleResult, CycleStatus, Statement
from bench import load_data, loadtest, measure, report
from bench.urls import MINIMAL_PATH

pytestmark = pytest.mark.django_db


def test_the_app_never_imports_the_benchmark():
    """bench/ is installed for development and CI only: nothing the app runs may need it."""
    importers = []
    for package in ("assessments", "places", "betterway"):
        for path in (settings.BASE_DIR / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                else:
                    continue
                if any(name == "bench" or name.startswith("bench.") for name in names):
                    importers.append(str(path.relative_to(settings.BASE_DIR)))
    assert importers == []


def _generate(places: int, cycles: int, respondents: int, seed: int = 7, clear: bool = False):
    call_command(
        "generate_load_data",
        places=places,
        cycles=cycles,
        respondents=respondents,
        seed=seed,
        clear=clear,
        force=True,  # the test runner turns DEBUG off
    )


def _answers() -> list[tuple]:
    return sorted(
        Answer.objects.values_list("response_id", "statement__key", "value"),
        key=lambda row: (str(row[0]), row[1]),
    )


def test_generate_load_data_builds_released_results_and_prints_timing(capsys):
    _generate(places=3, cycles=2, respondents=6)
    out = capsys.readouterr().out
    # The benchmark's bank (every default bank is loaded; it answers one of them).
    statements = Statement.objects.for_bank(load_data.default_bank()).count()
    assert "Generated 3 places, 6 cycles, 36 responses" in out
    assert f"{36 * statements} answers" in out
    assert "total" in out and "ms per snapshot" in out
    assert Answer.objects.count() == 36 * statements
    assert Cycle.objects.filter(status=CycleStatus.RELEASED).count() == 6
    assert CycleResult.objects.count() == 6
    # The second round compares with the first: its trend is there.
    latest = CycleResult.objects.filter(cycle__name="Round 2").first()
    assert latest.data["previous_cycle"] is not None


def test_generate_load_data_is_repeatable_and_refuses_to_double_up():
    _generate(places=2, cycles=1, respondents=5, seed=11)
    first = _answers()
    with pytest.raises(CommandError, match="--clear"):
        _generate(places=2, cycles=1, respondents=5, seed=11)
    _generate(places=2, cycles=1, respondents=5, seed=11, clear=True)
    assert _answers() == first
    _generate(places=2, cycles=1, respondents=5, seed=12, clear=True)
    assert _answers() != first


def _query_counts(places: int, cycles: int, respondents: int, clear: bool) -> list[int]:
    _generate(places=places, cycles=cycles, respondents=respondents, clear=clear)
    setup = measure.prepare(iterations=2, close_iterations=1, warmup=1, respondents=respondents)
    figures = measure.run(setup, iterations=2, warmup=1)
    assert figures[0].name == measure.MINIMAL and figures[0].queries == 0
    assert all(figure.queries > 0 for figure in figures[1:]), [(f.name, f.queries) for f in figures]
    assert all(len(figure.times) == 2 for figure in figures if "closing" not in figure.name)
    measure.cleanup()
    return [figure.queries for figure in figures]


def test_query_counts_do_not_grow_with_places_cycles_or_respondents():
    small = _query_counts(places=2, cycles=1, respondents=5, clear=False)
    large = _query_counts(places=6, cycles=2, respondents=9, clear=True)
    assert small == large
    assert not Cycle.objects.filter(place__slug__startswith=measure.PREFIX).exists()


def test_the_reference_view_is_not_part_of_the_app(client, settings):
    assert client.get(MINIMAL_PATH).status_code == 404
    settings.ROOT_URLCONF = "bench.urls"
    assert client.get(MINIMAL_PATH).content == b"ok"


WRK_OUTPUT = """\
Running 15s test @ http://127.0.0.1:8123/_bench/minimal/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.51ms    2.10ms  40.12ms   80.00%
    Req/Sec   845.20     60.11     1.00k    70.00%
  Latency Distribution
     50%    9.20ms
     75%   10.50ms
     90%   12.00ms
     99%  850.00us
  25260 requests in 15.02s, 5.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1681.76
Transfer/sec:    347.70KB
"""


def test_wrk_report_is_read():
    result = loadtest.parse_wrk("minimal", WRK_OUTPUT)
    assert result.requests == 25260
    assert result.seconds == pytest.approx(15.02)
    assert result.rps == pytest.approx(1681.76, rel=0.001)
    assert result.errors == 7
    assert result.latency_p50_ms == pytest.approx(9.2)
    assert result.latency_p99_ms == pytest.approx(0.85)


def test_load_test_refuses_anything_but_loopback():
    with pytest.raises(ValueError, match="127.0.0.1"):
        loadtest.load("elsewhere", "http://192.0.2.1:80/", seconds=1, connections=1)


def test_percentiles():
    times = [i / 1000 for i in range(1, 101)]
    figure = measure.Figure("f", times, queries=1)
    assert figure.p50 == pytest.approx(50.5)
    assert figure.p95 == pytest.approx(95.05)
    assert measure.percentile([0.004], 95) == 0.004


def test_a_lines_windows_add_up_to_one_result():
    def window(requests, seconds, p50, p99, app, db, errors=0):
        return loadtest.LoadResult("page", seconds, requests, errors, p50, p99, "wrk", app, db)

    whole = loadtest.combine(
        [window(300, 3.0, 10.0, 20.0, 2.0, 0.2), window(100, 3.0, 30.0, 90.0, 4.0, 0.4, errors=1)]
    )
    assert (whole.requests, whole.seconds, whole.errors) == (400, 6.0, 1)
    assert whole.rps == pytest.approx(400 / 6.0)
    assert whole.app_cpu_ms == pytest.approx((300 * 2.0 + 100 * 4.0) / 400)
    assert whole.db_cpu_ms == pytest.approx((300 * 0.2 + 100 * 0.4) / 400)
    assert whole.latency_p99_ms == 90.0
    assert whole.window_rps == (100.0, pytest.approx(100 / 3.0))
    unread = loadtest.combine([window(10, 1.0, None, None, None, None)])
    assert unread.app_cpu_ms is None and unread.latency_p50_ms is None


def test_the_report_shows_how_far_the_windows_moved_each_ratio():
    def line(name, *rates):
        windows = [loadtest.LoadResult(name, 1.0, rate, 0, None, None, "wrk") for rate in rates]
        return loadtest.combine(windows)

    minimal = line("minimal Django view", 1000, 800, 1000)
    page = line("questionnaire page", 600, 320, 450)
    # Each window against the minimal view's window of the same turn: 0.60, 0.40, 0.45.
    assert loadtest.window_ratios(page, minimal) == pytest.approx([0.6, 0.4, 0.45])
    ratio_line = report.load_lines([minimal, page])[-1]
    # The target's ratio is the whole line's: 1,370 requests against 2,800.
    assert ratio_line.startswith("questionnaire page ÷ minimal view, requests/s")
    assert "0.49; 3 windows 0.40–0.60, median 0.45" in ratio_line
    single = report.load_lines([line("minimal Django view", 1000), line("page", 600)])[-1]
    assert "windows" not in single
    assert loadtest.window_ratios(line("page", 600), minimal) == []  # windows not taken in turn


def test_database_cpu_counts_connections_that_came_and_went_without_going_negative():
    before = {10: 1.0, 11: 2.0}  # 11 ends during the window (CONN_MAX_AGE), 12 begins
    after = {10: 1.5, 12: 0.25}
    assert loadtest.cpu_used(before, after) == pytest.approx(0.75)


@pytest.mark.django_db(transaction=True)
def test_a_run_starts_by_vacuuming_what_runs_write_on_postgresql():
    with CaptureQueriesContext(connection) as queries:
        measure.vacuum()
    vacuums = [query["sql"] for query in queries if query["sql"].startswith("VACUUM")]
    if connection.vendor == "postgresql":
        assert len(vacuums) == 1
        assert '"assessments_answer"' in vacuums[0] and '"assessments_response"' in vacuums[0]
    else:
        assert vacuums == []


def test_no_vacuum_inside_a_transaction():
    with CaptureQueriesContext(connection) as queries:
        measure.vacuum()
    assert len(queries) == 0


def test_the_targets_are_judged_on_p95_times_and_requests_per_second():
    def figure(name, ms, queries=3):
        return measure.Figure(name, [ms / 1000] * 3, queries)

    figures = [
        figure("questionnaire page", 30.0),
        figure("place dashboard", 50.5),
        figure("comparison of 1,000 places", 120.0, queries=5),
        figure("comparison of 1 place", 5.0, queries=5),
        figure("closing a 30-respondent cycle", 90.0),
    ]

    def line(name, requests, errors=0):
        return loadtest.LoadResult(name, 10.0, requests, errors, None, None, "wrk")

    def verdicts(page_requests, errors=0):
        load = [
            line("minimal Django view", 9000),
            line("questionnaire page", page_requests, errors),
        ]
        return {check.target: check.met for check in report.checks(figures, load, places=1000)}

    assert verdicts(1000) == {
        "questionnaire page p95 ≤ 30 ms": True,
        "place dashboard p95 ≤ 50 ms": False,
        "comparison of 1,000 places p95 ≤ 200 ms": True,
        "closing a 30-respondent cycle p95 ≤ 200 ms": True,
        "comparison queries do not grow with places": True,
        "questionnaire page ≥ 100 requests/s under gunicorn, no errors": True,
    }
    under_load = "questionnaire page ≥ 100 requests/s under gunicorn, no errors"
    assert not verdicts(999)[under_load]  # 99.9 a second
    assert not verdicts(2000, errors=1)[under_load]
