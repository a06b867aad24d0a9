"""Fingerprints of the source notes, so that a test can check that the product's wording never
copies them without the notes being in the repository.

The notes (../shared/seed/better-way-notes.txt) are not ours to publish. What is kept here is a
short hash of every run of EIGHT words in them (lower case, punctuation dropped): enough to spot
a copied phrase, useless for rebuilding the text. Regenerate after the notes change:

    .venv/bin/python -m tests.notes_fingerprint ../shared/seed/better-way-notes.txt
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

RUN = 8
FINGERPRINTS = Path(__file__).parent / "data" / "notes_8_word_runs.txt"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))


def runs(text: str) -> Iterator[str]:
    """A short hash of each run of RUN words in `text`."""
    tokens = words(text)
    for i in range(len(tokens) - RUN + 1):
        yield hashlib.sha256(" ".join(tokens[i : i + RUN]).encode()).hexdigest()[:12]


def load() -> frozenset[str]:
    return frozenset(FINGERPRINTS.read_text(encoding="ascii").split())


def copied_runs(text: str) -> list[str]:
    """The runs of RUN words in `text` that also occur in the notes, in plain words."""
    notes = load()
    tokens = words(text)
    return [" ".join(tokens[i : i + RUN]) for i, digest in enumerate(runs(text)) if digest in notes]


if __name__ == "__main__":
    source = Path(sys.argv[1]).read_text(encoding="utf-8")
    FINGERPRINTS.write_text("\n".join(sorted(set(runs(source)))) + "\n", encoding="ascii")
    print(f"{FINGERPRINTS}: {len(set(runs(source)))} runs of {RUN} words")
