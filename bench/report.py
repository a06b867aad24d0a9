"""The benchmark's printed report: the machine, the data, the table of figures and the targets."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass

import django
from django.db import connection

from assessments.models import Answer, Cycle, CycleResult, Response
from bench.loadtest import QUESTIONNAIRE, LoadResult, ratio, window_ratios
from bench.measure import Figure
from places.models import Place

# The targets of docs/PERFORMANCE.md: p95 server times in process, in milliseconds, and the
# questionnaire page's requests per second under gunicorn (with the benchmark's 16 connections).
DASHBOARD_P95_MS = 50
COMPARISON_P95_MS = 200
CLOSING_P95_MS = 200
QUESTIONNAIRE_P95_MS = 30
QUESTIONNAIRE_MIN_RPS = 100


@dataclass(frozen=True)
class Check:
    target: str
    measured: str
    met: bool


def machine() -> list[str]:
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(meminfo.readline().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB memory"
    except (OSError, ValueError, IndexError):
        memory = "memory unknown"
    lines = [
        f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), {memory}",
        f"Python {platform.python_version()}, Django {django.get_version()}",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            lines.append(f"PostgreSQL {cursor.fetchone()[0]} at {connection.settings_dict['HOST']}")
        else:
            lines.append(f"database: {connection.vendor}")
    return lines


def data_size() -> str:
    return (
        f"{Place.objects.count():,} places, {Cycle.objects.count():,} cycles, "
        f"{CycleResult.objects.count():,} snapshots, {Response.objects.count():,} responses, "
        f"{Answer.objects.count():,} answers"
    )


def table(figures: list[Figure]) -> list[str]:
    by_name = {figure.name: figure for figure in figures}
    header = (
        f"{'figure':<32} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7}  "
        f"{'compared with':<28} {'×p50':>6} {'×p95':>6}"
    )
    lines = [header, "-" * len(header)]
    for figure in figures:
        line = f"{figure.name:<32} {figure.p50:8.2f} {figure.p95:8.2f} {figure.queries:7d}  "
        base = by_name.get(figure.baseline or "")
        if base:
            line += f"{base.name:<28} {figure.p50 / base.p50:6.1f} {figure.p95 / base.p95:6.1f}"
        else:
            line += "(baseline)"
        lines.append(line)
    return lines


def explain_lines(figures: list[Figure]) -> list[str]:
    lines = []
    for figure in figures:
        if figure.explained is None:
            continue
        verdict = "no sequential scan" if not figure.seq_scans else "SEQUENTIAL SCAN"
        lines.append(f"{figure.name:<32} {figure.explained:3d} queries explained: {verdict}")
        lines += [f"    {scan}" for scan in figure.seq_scans]
    return lines


def load_lines(results: list[LoadResult]) -> list[str]:
    lines = []
    for result in results:
        latency = ""
        if result.latency_p50_ms is not None:
            latency = (
                f", latency p50 {result.latency_p50_ms:.1f} ms, p99 {result.latency_p99_ms:.1f} ms"
            )
        lines.append(
            f"{result.name:<32} {result.rps:8.1f} requests/s ({result.requests:,} in "
            f"{result.seconds:.1f} s, {result.errors} errors{latency}; {result.tool})"
        )
    for result in results:
        if result.cpu_ms is not None:
            db = f" + PostgreSQL {result.db_cpu_ms:.2f} ms" if result.db_cpu_ms is not None else ""
            lines.append(
                f"{result.name:<32} CPU per request: gunicorn {result.app_cpu_ms:.2f} ms{db}"
            )
    minimal = results[0]
    for result in results[1:]:
        by_cpu = ""
        if result.cpu_ms and minimal.cpu_ms:
            by_cpu = f"   (by CPU per request: {minimal.cpu_ms / result.cpu_ms:.2f})"
        lines.append(
            f"{result.name + ' ÷ minimal view, requests/s':<48} "
            f"{ratio(result, minimal):5.2f}{by_cpu}{_spread(result, minimal)}"
        )
    return lines


def _spread(result: LoadResult, minimal: LoadResult) -> str:
    """The window-by-window ratios' lowest, median and highest, where there are several."""
    ratios = sorted(window_ratios(result, minimal))
    if len(ratios) < 2:
        return ""
    return (
        f"; {len(ratios)} windows {ratios[0]:.2f}–{ratios[-1]:.2f}, "
        f"median {statistics.median(ratios):.2f}"
    )


def checks(figures: list[Figure], load: list[LoadResult] | None, places: int) -> list[Check]:
    by_name = {figure.name: figure for figure in figures}
    one_place = by_name["comparison of 1 place"]
    comparison = by_name[f"comparison of {places:,} places"]
    found = [
        _p95_check(by_name[QUESTIONNAIRE], QUESTIONNAIRE_P95_MS),
        _p95_check(by_name["place dashboard"], DASHBOARD_P95_MS),
        _p95_check(comparison, COMPARISON_P95_MS),
        _p95_check(by_name["closing a 30-respondent cycle"], CLOSING_P95_MS),
        Check(
            "comparison queries do not grow with places",
            f"{one_place.queries} for 1 place, {comparison.queries} for {places:,}",
            one_place.queries == comparison.queries,
        ),
    ]
    explained = [figure for figure in figures if figure.explained is not None]
    if explained:
        scans = sum(len(figure.seq_scans) for figure in explained)
        found.append(
            Check(
                "no sequential scan of the answer or response table",
                f"{sum(f.explained for f in explained)} queries explained, {scans} scans",
                scans == 0,
            )
        )
    if load:
        page = load[-1]
        errors = sum(result.errors for result in load)
        found.append(
            Check(
                f"{QUESTIONNAIRE} ≥ {QUESTIONNAIRE_MIN_RPS} requests/s under gunicorn, no errors",
                f"{page.rps:.0f} requests/s, {errors} errors",
                page.rps >= QUESTIONNAIRE_MIN_RPS and errors == 0,
            )
        )
    return found


def _p95_check(figure: Figure, target_ms: float) -> Check:
    return Check(
        f"{figure.name} p95 ≤ {target_ms} ms", f"{figure.p95:.1f} ms", figure.p95 <= target_ms
    )
