"""Print the mutation score of the last `mutmut run` (`make mutation`), per module and in all.

Usage: python tests/mutation_score.py [EQUIVALENT_MUTANT ...]

Mutants named on the command line were judged equivalent (they change no behaviour: see the
Makefile's comment beside `mutation`); the score of behaviour-changing mutants leaves them out.
Every other mutant not killed (survived, not run by any test, timed out) counts against it.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict


def results() -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status
    return found


def main(equivalent: set[str]) -> int:
    statuses = results()
    if not statuses:
        print("No mutants found: run `make mutation` first.")
        return 1
    unknown = equivalent - set(statuses)
    by_module: dict[str, Counter] = defaultdict(Counter)
    for name, status in statuses.items():
        module = name.split(".x_")[0]
        by_module[module]["all"] += 1
        by_module[module]["killed" if status == "killed" else "not killed"] += 1
        if name in equivalent and status != "killed":
            by_module[module]["equivalent"] += 1
    total = Counter()
    for module, counts in sorted(by_module.items()):
        total.update(counts)
        print(_line(module, counts))
    print(_line("all three", total))
    for name in sorted(unknown):
        print(f"warning: {name} is listed as equivalent but no such mutant exists now")
    for name, status in sorted(statuses.items()):
        if status != "killed" and name not in equivalent:
            print(f"not killed, not judged equivalent: {name} ({status})")
    return 0


def _line(label: str, counts: Counter) -> str:
    changing = counts["all"] - counts["equivalent"]
    return (
        f"{label}: {counts['killed']} of {counts['all']} mutants killed "
        f"({100 * counts['killed'] / counts['all']:.1f} %); of the {changing} that change "
        f"behaviour, {100 * counts['killed'] / changing:.1f} % "
        f"({counts['equivalent']} judged equivalent)"
    )


if __name__ == "__main__":
    sys.exit(main(set(sys.argv[1:])))
