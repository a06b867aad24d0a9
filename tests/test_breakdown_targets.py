"""The role and size views survive confidentiality (issue 18): how often each is shown.

A seeded generator of realistic rounds — six partners with weights and shares of people who lead
and manage, 30–50 respondents drawn by weight, k = 5 — and the demo's released rounds. Of the
rounds where each of a view's groups has at least 2k respondents, lead against other partners must
be shown in at least 95 %, the role lens in at least 90 %, the size lens in at least 85 %; and no
shown set of figures may describe fewer than k people, checked by a brute force over partner ×
role-level cells written here (not the audit's own code).
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from fractions import Fraction
from itertools import combinations

import pytest
from django.core.management import call_command

from assessments.breakdowns import ALL, DIMENSIONS, Respondent, group_key, shown_groups
from assessments.models import CycleResult, Response, RoleLevel
from places.models import Sector, Size
from tests.test_audit import _rank

K = 5
TARGETS = {"lead": 0.95, "role_lens": 0.90, "size_lens": 0.85}
LENS_GROUPS = {
    "lead": ("lead", "other"),
    "role_lens": ("lead_manage", "deliver_live"),
    "size_lens": ("small", "larger"),
}
# (sector, size, lead, weight, share who lead and manage)
PARTNERS = [
    (Sector.LOCAL_AUTHORITY, Size.LARGE, True, 8, 0.40),
    (Sector.NHS, Size.LARGE, False, 6, 0.40),
    (Sector.VOLUNTARY, Size.SMALL, False, 5, 0.25),
    (Sector.SOCIAL_ENTERPRISE, Size.SMALL, False, 4, 0.25),
    (Sector.RESIDENTS, Size.MICRO, False, 3, 0.20),
    (Sector.FAITH, Size.MICRO, False, 2, 0.25),
]
LEAD_AND_MANAGE = (RoleLevel.SENIOR_LEADER, RoleLevel.MANAGER)
DELIVER_AND_LIVE = (RoleLevel.FRONT_LINE, RoleLevel.VOLUNTEER, RoleLevel.RESIDENT)


def realistic_round(seed: int) -> dict[int, Respondent]:
    rng = random.Random(seed)
    respondents = {}
    for i in range(rng.randint(30, 50)):
        index = rng.choices(range(len(PARTNERS)), [p[3] for p in PARTNERS])[0]
        sector, size, lead, _weight, managing = PARTNERS[index]
        roles = LEAD_AND_MANAGE if rng.random() < managing else DELIVER_AND_LIVE
        respondents[i] = Respondent(index, sector, size, lead, rng.choice(roles))
    return respondents


def cells_brute_force_leak(groups: dict, respondents: dict[int, Respondent]) -> tuple | None:
    """A set of partner × role-level cells, holding 1..k−1 people, that some combination of the
    groups' scores (partner-balanced) or shares (plain) involves alone; None if there is none."""
    cell_of = {i: (r.partner, r.role_level) for i, r in respondents.items()}
    cells = sorted(set(cell_of.values()))
    size = defaultdict(int)
    for cell in cell_of.values():
        size[cell] += 1
    balanced, plain = [], []
    for members in groups.values():
        per_partner = defaultdict(int)
        for i in members:
            per_partner[respondents[i].partner] += 1
        row_b, row_p = dict.fromkeys(cells, Fraction(0)), dict.fromkeys(cells, Fraction(0))
        for i in members:
            row_b[cell_of[i]] = Fraction(1, len(per_partner) * per_partner[respondents[i].partner])
            row_p[cell_of[i]] = Fraction(1, len(members))
        balanced.append([row_b[c] for c in cells])
        plain.append([row_p[c] for c in cells])
    small = [j for j, cell in enumerate(cells) if size[cell] < K]
    for rows in (balanced, plain):
        full = _rank(rows)
        for count in range(1, K):
            for chosen in combinations(small, count):
                if sum(size[cells[j]] for j in chosen) >= K:
                    continue
                rest = [[row[j] for j in range(len(cells)) if j not in chosen] for row in rows]
                if _rank(rest) < full:
                    return tuple(cells[j] for j in chosen)
    return None


def _tally(rounds) -> dict[str, list[bool]]:
    shown: dict[str, list[bool]] = {view: [] for view in LENS_GROUPS}
    for respondents in rounds:
        groups = shown_groups(respondents, DIMENSIONS, K)
        for view, names in LENS_GROUPS.items():
            sizes = defaultdict(int)
            for r in respondents.values():
                sizes[group_key(view, r)] += 1
            if all(sizes[name] >= 2 * K for name in names):
                shown[view].append(all((view, name) in groups for name in names))
    return shown


def test_the_views_are_shown_in_realistic_rounds_and_never_leak():
    rounds = [realistic_round(seed) for seed in range(120)]
    shown = _tally(rounds)
    for view, target in TARGETS.items():
        rate = sum(shown[view]) / len(shown[view])
        assert len(shown[view]) >= 40, view  # enough eligible rounds to judge the rate
        assert rate >= target, f"{view} shown in {rate:.0%} of eligible rounds"
    for respondents in rounds[:20]:
        groups = shown_groups(respondents, DIMENSIONS, K)
        assert ALL in groups
        leaked = cells_brute_force_leak(groups, respondents)
        assert leaked is None, leaked


@pytest.mark.django_db
def test_the_views_are_shown_in_the_demo():
    call_command("load_demo", "--force", stdout=io.StringIO())
    eligible = defaultdict(int)
    shown = defaultdict(int)
    for result in CycleResult.objects.select_related("cycle"):
        respondents = {
            row[0]: Respondent(*row[1:])
            for row in Response.objects.filter(cycle=result.cycle).values_list(
                "pk", "partner_id", "sector", "size", "is_lead", "role_level"
            )
        }
        data = result.snapshot
        for view, names in LENS_GROUPS.items():
            sizes = defaultdict(int)
            for r in respondents.values():
                sizes[group_key(view, r)] += 1
            if not all(sizes[name] >= 2 * data.k for name in names):
                continue
            row = next(r for r in data.breakdown(view).rows if r.condition == "leadership")
            eligible[view] += 1
            shown[view] += all(name in row.cells for name in names)
    for view, target in TARGETS.items():
        assert eligible[view] >= 5, view
        assert shown[view] / eligible[view] >= target, (view, shown[view], eligible[view])


# --- Routed statements (issue 20): the gaps use the statements asked of everyone ---------------

GAP_DIMENSIONS = ("lead", "role_lens", "size_lens")


def routed_round(seed: int) -> tuple[dict[int, Respondent], set[int]]:
    """A realistic round on a bank with routed statements: who takes part in meetings (leads
    and managers mostly), and the respondents with a score over the statements asked of
    everyone (a few leave too many of those as "don't know")."""
    rng = random.Random(f"routed-{seed}")
    respondents = realistic_round(seed)
    in_meetings = {
        i
        for i, r in respondents.items()
        if rng.random() < (0.8 if r.is_lead or r.role_level in LEAD_AND_MANAGE else 0.2)
    }
    everyone_scored = {i for i in respondents if rng.random() > 0.05}
    return {i: respondents[i] for i in everyone_scored}, in_meetings


def gap_groups(full: dict[int, Respondent], everyone: dict[int, Respondent]) -> dict:
    """As results.compute: the gap groups over the statements asked of everyone, decided by the
    same rules, and shown only where the heatmap shows the group too."""
    shown_full = shown_groups(full, DIMENSIONS, K)
    shown_everyone = shown_groups(everyone, GAP_DIMENSIONS, K)
    return {
        name: members
        for name, members in shown_everyone.items()
        if name == ALL or name in shown_full
    }


def test_gaps_over_statements_asked_of_everyone_are_shown_and_never_leak():
    shown: dict[str, list[bool]] = {view: [] for view in LENS_GROUPS}
    for seed in range(120):
        full = realistic_round(seed)
        everyone, _in_meetings = routed_round(seed)
        groups = gap_groups(full, everyone)
        for view, names in LENS_GROUPS.items():
            sizes = defaultdict(int)
            for r in everyone.values():
                sizes[group_key(view, r)] += 1
            if all(sizes[name] >= 2 * K for name in names):
                shown[view].append(all((view, name) in groups for name in names))
        if seed < 20:
            leaked = cells_brute_force_leak(groups, everyone)
            assert leaked is None, leaked
    for view, target in TARGETS.items():
        rate = sum(shown[view]) / len(shown[view])
        assert len(shown[view]) >= 40, view
        assert rate >= target, f"{view} gap shown in {rate:.0%} of eligible routed rounds"


def test_how_many_a_routed_statement_went_to_never_pins_down_a_few_people():
    """The count of people in meetings is shown as a band k wide beside the exact total: set
    against it (or any other band), the people outside meetings are never pinned to 1..k−1."""
    from assessments.suppression import count_band

    for seed in range(120):
        full = realistic_round(seed)
        _everyone, in_meetings = routed_round(seed)
        total, n = len(full), len(in_meetings & set(full))
        if n < K:
            continue  # not stored, so not shown (the page says "fewer than k")
        low, high = count_band(n, K, total)
        outside_least, outside_most = total - high, total - low
        assert outside_least == 0 or outside_most >= K or outside_least >= K, (seed, n, total)
        assert (high - low + 1 == K) or high == total or low == high == total
