"""The exact confidentiality audit of DESIGN §6: no combination of shown figures may be determined
by the answers of 1..k−1 people.

Every figure of a condition is a linear function of the respondents' scores. A group's score is
partner-balanced: each member of partner p counts 1 / (partners in the group × p's members in the
group). A group's share of favourable (or neutral, unfavourable, don't-know) answers counts each
member alike: 1 / the group's answers. So people who belong to the same partner and to the same
shown groups enter every figure alike, and can be taken together as one *cell*; the unknowns are
the cells' sums. The figures shown give their values under known coefficients (counts and partner
weights are taken as known, the worst case).

A combination of figures λ gives Σ_c v_c · (sum of cell c), with v = λ·A for the coefficient matrix
A (a row per figure, a column per cell). It describes the people in the cells where v is non-zero.
The audit fails when some non-zero v in the row space of A is non-zero only on cells holding
1..k−1 people in all. Everything is rational arithmetic (`fractions.Fraction`): no rounding can
hide a combination or invent one.

How, cheaply enough to run at close: columns that are multiples of one another are merged (their
cells are always involved together); the row space is put in reduced row echelon form with the
cells of at least k people first, so the rows whose pivot falls on a smaller cell span exactly the
vectors that vanish on every large cell — usually none, and then the audit passes at once. Only
otherwise are the sets of small cells holding fewer than k people tried, smallest first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from itertools import combinations

Row = Mapping[Hashable, Fraction]  # cell -> coefficient; cells not named have 0


def determined_cells(
    rows: Sequence[Row], sizes: Mapping[Hashable, int], k: int
) -> frozenset | None:
    """A set of cells, holding 1..k−1 people in all, that some non-zero combination of `rows`
    involves alone; None when there is none (the figures pass)."""
    columns = _merged_columns(rows)
    weight = {key: sum(sizes[cell] for cell in cells) for key, cells in columns.items()}
    large = [key for key in columns if weight[key] >= k]
    small = [key for key in columns if weight[key] < k]
    order = large + small
    matrix = [[column[i] for column in order] for i in range(len(rows))]
    echelon = _rref(matrix)
    first_small = len(large)
    basis = [row[first_small:] for row, pivot in echelon if pivot >= first_small]
    if not basis:
        return None
    involved = [j for j in range(len(small)) if any(row[j] for row in basis)]
    for chosen in _light_sets(involved, [weight[small[j]] for j in range(len(small))], k):
        rest = [j for j in involved if j not in chosen]
        if _rank([[row[j] for j in rest] for row in basis]) < len(basis):
            return frozenset(cell for j in chosen for cell in columns[small[j]])
    return None


# --- Groups of respondents ----------------------------------------------------------------------


def balanced_row(members: Iterable[Hashable], partner_of: Mapping, cell_of: Mapping) -> dict:
    """A group's partner-balanced score as coefficients on its cells' sums."""
    by_partner: dict[Hashable, int] = defaultdict(int)
    members = list(members)
    for member in members:
        by_partner[partner_of[member]] += 1
    row: dict[Hashable, Fraction] = {}
    for member in members:
        weight = Fraction(1, len(by_partner) * by_partner[partner_of[member]])
        row[cell_of[member]] = weight  # the same for every member of a cell
    return row


def plain_row(members: Iterable[Hashable], cell_of: Mapping) -> dict:
    """A group's share (of answers of one kind) as coefficients on its cells' sums."""
    members = list(members)
    return {cell_of[member]: Fraction(1, len(members)) for member in members}


def cells_of(
    groups: Mapping[Hashable, frozenset], partner_of: Mapping
) -> tuple[dict[Hashable, Hashable], dict[Hashable, int]]:
    """Each respondent's cell (their partner and the groups they are in) and each cell's size."""
    memberships: dict[Hashable, list] = defaultdict(list)
    for name in sorted(groups, key=repr):
        for member in groups[name]:
            memberships[member].append(name)
    cell_of = {member: (partner_of[member], tuple(names)) for member, names in memberships.items()}
    sizes: dict[Hashable, int] = defaultdict(int)
    for cell in cell_of.values():
        sizes[cell] += 1
    return cell_of, dict(sizes)


def leak(
    groups: Mapping[Hashable, frozenset], partner_of: Mapping, k: int
) -> tuple[frozenset, list[dict]] | None:
    """The respondents some combination of these groups' figures would describe, fewer than k,
    with the rows that give it away; None when the groups may all be shown."""
    cell_of, sizes = cells_of(groups, partner_of)
    for make in (
        lambda members: balanced_row(members, partner_of, cell_of),
        lambda members: plain_row(members, cell_of),
    ):
        rows = [make(groups[name]) for name in sorted(groups, key=repr)]
        found = determined_cells(rows, sizes, k)
        if found is not None:
            people = frozenset(m for m, cell in cell_of.items() if cell in found)
            return people, rows
    return None


def hide_until_safe(
    groups: Mapping[Hashable, frozenset],
    partner_of: Mapping,
    k: int,
    hide_first: Callable[[Hashable], tuple],
    keep: Iterable[Hashable] = (),
) -> set[Hashable]:
    """Names of groups to hide, in the order `hide_first` gives (lowest first), until no
    combination of the shown groups' figures describes 1..k−1 people. Groups in `keep` (the whole
    place) are never hidden.

    For each leak, the first group in that order whose figures the leak needs is hidden (one
    whose removal leaves those people undescribed), then the audit runs again.
    """
    keep = set(keep)
    hidden: set[Hashable] = set()
    while True:
        shown = {name: members for name, members in groups.items() if name not in hidden}
        found = leak(shown, partner_of, k)
        if found is None:
            return _show_again(groups, hidden, partner_of, k, hide_first)
        people, _rows = found
        candidates = sorted((name for name in shown if name not in keep), key=hide_first)
        if not candidates:
            raise ValueError("The kept groups alone describe fewer than k people.")
        hidden.add(_culprit(shown, candidates, people, partner_of, k))


def _show_again(groups, hidden, partner_of, k, hide_first) -> set[Hashable]:
    """`hidden` less every group that can be shown again beside the rest without a leak.

    A group hidden for one leak may be needed by no leak once later groups have gone too; hiding
    nothing that need not be hidden, the last in the order are tried first.
    """
    hidden = set(hidden)
    for name in sorted(hidden, key=hide_first, reverse=True):
        shown = {other: members for other, members in groups.items() if other not in hidden}
        if leak({**shown, name: groups[name]}, partner_of, k) is None:
            hidden.discard(name)
    return hidden


def _culprit(shown, candidates, people, partner_of, k) -> Hashable:
    for name in candidates:
        rest = {other: members for other, members in shown.items() if other != name}
        if not _describes(rest, people, partner_of, k):
            return name
    # No single group frees these people: hide the first that includes any of them.
    return next((name for name in candidates if shown[name] & people), candidates[0])


def _describes(groups: Mapping[Hashable, frozenset], people: frozenset, partner_of, k: int) -> bool:
    """Whether these groups' figures still describe some of `people`, fewer than k, alone.

    Without one group, these people may share their cells with others (the cells are cut by the
    groups shown), and a cell of k or more people describes nobody; so the question is asked of
    `determined_cells`, with every cell holding none of these people counted as large.
    """
    cell_of, sizes = cells_of(groups, partner_of)
    cells = frozenset(cell_of[m] for m in people if m in cell_of)
    if not cells:
        return False
    weights = {cell: size if cell in cells else k for cell, size in sizes.items()}
    names = sorted(groups, key=repr)
    for rows in (
        [balanced_row(groups[name], partner_of, cell_of) for name in names],
        [plain_row(groups[name], cell_of) for name in names],
    ):
        if determined_cells(rows, weights, k) is not None:
            return True
    return False


# --- Exact linear algebra -----------------------------------------------------------------------


def _merged_columns(rows: Sequence[Row]) -> dict[tuple, list[Hashable]]:
    """Columns of the matrix, each cell's column scaled to start with 1, merged when equal: such
    cells are always involved together, so they count as one set of people. Keyed by the
    scaled column, in a fixed order."""
    cells = sorted({cell for row in rows for cell in row}, key=repr)
    merged: dict[tuple, list[Hashable]] = {}
    for cell in cells:
        column = [Fraction(row.get(cell, 0)) for row in rows]
        lead = next(value for value in column if value)
        merged.setdefault(tuple(value / lead for value in column), []).append(cell)
    return merged


def _rref(matrix: list[list[Fraction]]) -> list[tuple[list[Fraction], int]]:
    """The non-zero rows of the reduced row echelon form, each with its pivot column."""
    rows = [list(row) for row in matrix]
    result: list[tuple[list[Fraction], int]] = []
    width = len(rows[0]) if rows else 0
    r = 0
    for column in range(width):
        pivot = next((i for i in range(r, len(rows)) if rows[i][column]), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        scale = rows[r][column]
        rows[r] = [value / scale for value in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][column]:
                factor = rows[i][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        r += 1
        if r == len(rows):
            break
    for i in range(r):
        pivot = next(j for j, value in enumerate(rows[i]) if value)
        result.append((rows[i], pivot))
    return result


def _rank(matrix: list[list[Fraction]]) -> int:
    if not matrix or not matrix[0]:
        return 0
    return len(_rref(matrix))


def _light_sets(items: list[int], weight: list[int], k: int) -> Iterator[tuple[int, ...]]:
    """Non-empty sets of `items` whose weights add up to less than k, fewest items first."""
    for size in range(1, k):
        found_any = False
        for chosen in combinations(items, size):
            if sum(weight[j] for j in chosen) < k:
                found_any = True
                yield chosen
        if not found_any:
            return  # every set of this size is already too heavy, so every larger one is
