"""The results snapshot as typed records: what `CycleResult.data` holds, schema version 2.

`results.build_snapshot` makes a `Snapshot` and stores `dump(snapshot)`; every page and export
reads it back with `load(data)`, which checks the schema version and builds each record field by
field: a field that is missing, renamed or unknown fails loudly, rather than blanking a figure.

Scores are unrounded floats on 0–100; shares are floats on 0–1. Every `n` counts the respondents
who went into a figure and is at least k; a figure with fewer is absent (None, or not in its
mapping). Labels (band, agreement, position) are stored beside the figures they were judged on.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 2

# Parts of the results a snapshot converted from an older schema may lack; pages say "not part
# of this round" for each, rather than showing nothing or a wrong figure.
PART_ROLE_LENS = "role_lens"
PART_SIZE_LENS = "size_lens"
PART_DIVISION = "division"


class SnapshotSchemaError(ValueError):
    """The stored document does not match this schema."""


@dataclass(frozen=True)
class Division:
    """How a group's scored answers on a condition split: shares of 0–1 that add up to 1.

    Unfavourable is strongly disagree or disagree, favourable agree or strongly agree, both with
    reverse-worded statements flipped. "Don't know" is reported apart (the condition's rate)."""

    unfavourable: float
    neutral: float
    favourable: float


@dataclass(frozen=True)
class Figure:
    """A group's result on one condition (or the whole place's)."""

    score: float
    n: int
    band: str
    spread: float | None
    agreement: str | None
    division: Division | None


@dataclass(frozen=True)
class Trend:
    previous: float
    change: float
    direction: str | None


@dataclass(frozen=True)
class Benchmark:
    median: float
    q1: float
    q3: float
    places: int
    position: str | None


@dataclass(frozen=True)
class ConditionResult:
    key: str
    name: str
    order: int
    statement_count: int
    place: Figure | None  # None: too few answers to show
    dont_know_rate: float | None
    n_answered: int | None
    trend: Trend | None
    benchmark: Benchmark | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Gap:
    points: float
    high: str
    low: str
    big: bool


@dataclass(frozen=True)
class BreakdownRow:
    condition: str
    cells: dict[str, Figure]  # column key -> figure; a column missing here is hidden
    gap: Gap | None


@dataclass(frozen=True)
class Breakdown:
    """One way of splitting the place, shown condition by condition."""

    key: str  # "lead", "role_lens", "size_lens", "sector", "role_level"
    title: str
    columns: list[Column]
    rows: list[BreakdownRow]
    lead_partners: list[str]  # the "lead" breakdown only


@dataclass(frozen=True)
class GroupGap:
    """First group's score minus the second's on shared leadership and power."""

    points: float
    first: float
    second: float
    n_first: int
    n_second: int


@dataclass(frozen=True)
class SpectrumCategory:
    key: str
    label: str
    n: int
    share: float


@dataclass(frozen=True)
class SpectrumOther:
    n: int
    share: float


@dataclass(frozen=True)
class Spectrum:
    n: int
    categories: list[SpectrumCategory]
    other: SpectrumOther | None


@dataclass(frozen=True)
class CollaborationType:
    key: str
    label: str
    reasons: list[str]


@dataclass(frozen=True)
class StatementResult:
    key: str
    text: str
    condition: str
    condition_name: str
    reverse_keyed: bool
    order: int
    mean: float | None  # None: too few scored it
    n: int | None
    band: str | None
    spread: float | None
    agreement: str | None
    n_answered: int | None
    dont_know_rate: float | None
    trend: Trend | None
    # Routed: asked only of people in partnership meetings or decisions (bank v2 on), and how
    # many people it went to (None: fewer than k, or not routed). Shown as a band k wide.
    routed: bool = False
    n_asked: int | None = None


@dataclass(frozen=True)
class Highlights:
    strongest: list[str]
    weakest: list[str]
    most_divided: list[str]
    dont_know: list[str]


@dataclass(frozen=True)
class CommentResult:
    condition: str
    condition_name: str
    text: str


@dataclass(frozen=True)
class Overall:
    score: float | None
    n: int | None
    band: str | None
    spread: float | None
    agreement: str | None
    trend: Trend | None


@dataclass(frozen=True)
class BankRef:
    id: int
    name: str
    version: int


@dataclass(frozen=True)
class CycleRef:
    id: int
    name: str


@dataclass(frozen=True)
class Window:
    start: str
    end: str


@dataclass(frozen=True)
class Snapshot:
    schema: int
    k: int
    enough_responses: bool
    n_responses: int | None
    bank: BankRef
    previous_cycle: CycleRef | None
    overall: Overall
    conditions: list[ConditionResult]
    breakdowns: list[Breakdown]
    lead_gap: GroupGap | None
    lens_gaps: dict[str, GroupGap]  # "role_lens", "size_lens"
    spectrum: Spectrum | None
    mode: str | None
    collaboration_type: CollaborationType
    statements: list[StatementResult]
    highlights: Highlights
    prompts: list[str]
    comments: list[CommentResult]
    benchmark_window: Window
    missing: list[str] = field(default_factory=list)  # PART_* this round's results lack
    # "Where we need to be" (banks with the second spectrum question), as `spectrum` and `mode`.
    target_spectrum: Spectrum | None = None
    target_mode: str | None = None
    # The bank of `previous_cycle`, to say when the bank changed between the two rounds.
    previous_bank: BankRef | None = None
    # The bank routes statements: group gaps and the type use statements asked of everyone.
    routing: bool = False

    def condition(self, key: str) -> ConditionResult | None:
        return next((c for c in self.conditions if c.key == key), None)

    def statement(self, key: str) -> StatementResult | None:
        return next((s for s in self.statements if s.key == key), None)

    def breakdown(self, key: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.key == key), None)

    @property
    def trends(self) -> dict[str, dict]:
        """Each condition's change, compact, for the comparison of many places."""
        return {
            c.key: {"change": c.trend.change, "direction": c.trend.direction}
            for c in self.conditions
            if c.trend is not None
        }

    @property
    def condition_scores(self) -> dict[str, float]:
        return {c.key: c.place.score for c in self.conditions if c.place is not None}


def dump(snapshot: Snapshot) -> dict[str, Any]:
    return dataclasses.asdict(snapshot)


def load(data: dict[str, Any]) -> Snapshot:
    """The snapshot stored as `data`; SnapshotSchemaError if it is not schema SCHEMA_VERSION or
    any field is missing, unknown or of the wrong kind."""
    if data.get("schema") != SCHEMA_VERSION:
        raise SnapshotSchemaError(
            f"Results stored with schema {data.get('schema')!r}; this code reads schema "
            f"{SCHEMA_VERSION}. Run the migrations."
        )
    return _build(Snapshot, data, "snapshot")


def _build(kind: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None:
            if type(None) in options:
                return None
            raise SnapshotSchemaError(f"{where} is missing.")
        (inner,) = [option for option in options if option is not type(None)]
        return _build(inner, value, where)
    if origin is list:
        (inner,) = typing.get_args(kind)
        _expect(value, list, where)
        return [_build(inner, item, f"{where}[{i}]") for i, item in enumerate(value)]
    if origin is dict:
        _key, inner = typing.get_args(kind)
        _expect(value, dict, where)
        return {key: _build(inner, item, f"{where}.{key}") for key, item in value.items()}
    if dataclasses.is_dataclass(kind):
        _expect(value, dict, where)
        hints = _field_types(kind)
        fields = {f.name: f for f in dataclasses.fields(kind)}
        unknown = set(value) - set(fields)
        if unknown:
            raise SnapshotSchemaError(f"{where} has unknown fields: {sorted(unknown)}.")
        built = {}
        for name, spec in fields.items():
            if name not in value:
                # Fields added later with a default (an older snapshot lacks them).
                has_default = spec.default is not dataclasses.MISSING
                if has_default or spec.default_factory is not dataclasses.MISSING:
                    continue
                raise SnapshotSchemaError(f"{where}.{name} is missing.")
            built[name] = _build(hints[name], value[name], f"{where}.{name}")
        return kind(**built)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SnapshotSchemaError(f"{where} should be a number, not {value!r}.")
        return float(value)
    _expect(value, kind, where)
    return value


@functools.cache
def _field_types(kind: type) -> dict[str, Any]:
    """A dataclass's field types, worked out once per class: get_type_hints() evaluates every
    annotation anew on each call, and reading a snapshot made it most of a dashboard's CPU."""
    return typing.get_type_hints(kind)


def _expect(value: Any, kind: type, where: str) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SnapshotSchemaError(f"{where} should be {kind.__name__}, not {value!r}.")
