"""The ways results are split (DESIGN §5 lenses, §7 heatmap) and which groups may be shown (§6).

Five splits of the place, each a partition of a condition's contributors:

    lead        lead partners / the other partners
    role_lens   "lead and manage" (senior leaders, managers) / "deliver and live here" (front-line
                staff, volunteers, residents)
    size_lens   small organisations (micro, small) / larger ones (medium, large, national)
    sector      each sector of the place's partners
    role_level  each role level

A respondent's groups come from what was stored with the response when it was submitted
(`Respondent`), never from a partner as it is now.

`shown_groups` decides, per condition, which groups may be shown beside the whole place: first the
cheap rules of `suppression` (each split's hidden remainder 0 or at least k; no two shown groups
1..k−1 people apart, except a role-lens group beside a partner-level group differing on one side
only), then the exact audit (`audit.hide_until_safe`). Both hide in §6's order: fine role levels
first, then sectors, the size lens, the role lens, and lead against other partners last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from assessments import audit, suppression
from assessments.models import RoleLevel
from places.models import Sector, Size

ALL = ("all", "all")  # the whole place, as a group name

# Display order of the breakdowns on the dashboard.
DIMENSIONS = ("lead", "role_lens", "size_lens", "sector", "role_level")
# DESIGN §6, "what goes first" when figures must be hidden.
HIDE_ORDER = ("role_level", "sector", "size_lens", "role_lens", "lead")
# Splits whose groups are unions of whole partners.
PARTNER_LEVEL = frozenset({"sector", "size_lens", "lead", "all"})

LEAD_AND_MANAGE = frozenset({RoleLevel.SENIOR_LEADER.value, RoleLevel.MANAGER.value})
SMALL_SIZES = frozenset({Size.MICRO.value, Size.SMALL.value})

TITLES = {
    "lead": "Lead partners and the other partners",
    "role_lens": "Those who lead and manage, and those who deliver and live here",
    "size_lens": "Small organisations and larger ones",
    "sector": "By sector",
    "role_level": "By role",
}
FIXED_COLUMNS = {
    "lead": [("lead", "Lead partners"), ("other", "Other partners")],
    "role_lens": [
        ("lead_manage", "Lead and manage"),
        ("deliver_live", "Deliver and live here"),
    ],
    "size_lens": [("small", "Small organisations"), ("larger", "Larger organisations")],
    "role_level": [(role.value, role.label) for role in RoleLevel],
}
# The lens gaps: (first group, second group); the gap is the first's score minus the second's.
LENS_GAP_GROUPS = {
    "role_lens": ("lead_manage", "deliver_live"),
    "size_lens": ("larger", "small"),
}


@dataclass(frozen=True)
class Respondent:
    """A response's partner and the groups it counts in, as stored when it was submitted."""

    partner: int
    sector: str
    size: str
    is_lead: bool
    role_level: str


def group_key(dimension: str, respondent: Respondent) -> str:
    if dimension == "lead":
        return "lead" if respondent.is_lead else "other"
    if dimension == "role_lens":
        return "lead_manage" if respondent.role_level in LEAD_AND_MANAGE else "deliver_live"
    if dimension == "size_lens":
        return "small" if respondent.size in SMALL_SIZES else "larger"
    if dimension == "sector":
        return respondent.sector
    return respondent.role_level


def columns(dimension: str, sectors: Iterable[str]) -> list[tuple[str, str]]:
    """A breakdown's columns: fixed, or the sectors given (from the place's partners, never from
    who answered), in the order of the sector list."""
    if dimension == "sector":
        present = set(sectors)
        return [(s.value, s.label) for s in Sector if s.value in present]
    return FIXED_COLUMNS[dimension]


def hide_first(groups: Mapping[tuple, frozenset]):
    """Sort key: the group to hide first sorts first; the whole place never goes."""

    def key(name: tuple) -> tuple:
        dimension = name[0]
        rank = HIDE_ORDER.index(dimension) if dimension in HIDE_ORDER else len(HIDE_ORDER)
        return rank, len(groups[name]), repr(name)

    return key


def _one_sided_ok(a: tuple, b: tuple) -> bool:
    # DESIGN §6: a role-lens group beside a partner-level group (or the place) may differ from
    # it by fewer than k on one side only; the exact audit decides about the pair.
    dimensions = {a[0], b[0]}
    return (
        len(dimensions) == 2
        and "role_lens" in dimensions
        and dimensions - {"role_lens"} <= (PARTNER_LEVEL)
    )


def shown_groups(
    contributors: Mapping[Any, Respondent], dimensions: Iterable[str], k: int
) -> dict[tuple[str, str], frozenset]:
    """The groups of one condition that may be shown, with their members; the whole place is
    `ALL` (present when it has at least k contributors)."""
    total = len(contributors)
    if not suppression.is_shown(total, k):
        return {}
    candidates: dict[tuple[str, str], frozenset] = {ALL: frozenset(contributors)}
    for dimension in dimensions:
        members: dict[str, set] = defaultdict(set)
        for pk, respondent in contributors.items():
            members[group_key(dimension, respondent)].add(pk)
        hidden = suppression.suppress_partition(
            total, {name: len(group) for name, group in members.items()}, k
        )
        for name, group in members.items():
            if name not in hidden:
                candidates[(dimension, name)] = frozenset(group)
    order = hide_first(candidates)
    hidden = suppression.suppress_overlapping(
        candidates, k, one_sided_ok=_one_sided_ok, hide_first=order
    )
    first_pass = {name: group for name, group in candidates.items() if name not in hidden}
    partner_of = {pk: respondent.partner for pk, respondent in contributors.items()}
    hidden = audit.hide_until_safe(first_pass, partner_of, k, hide_first=order, keep=[ALL])
    return {name: group for name, group in first_pass.items() if name not in hidden}
