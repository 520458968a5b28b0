"""Which part of the real-world data a source belongs to: blind, dev or train.

Every case in tests/nlu/real/*.jsonl names its `source` (a URL, or a repository path for a public
test suite). One source (one article, one ruling, one test-suite template) goes to exactly one part,
decided by a hash of its normalised address, so people collecting in parallel never put the same
source in two parts, and nobody chooses which stories end up blind.

Rounds. A blind set is scored once per round. Round 1's sources (tests/nlu/real/round1_sources.tsv)
keep their part, except that round 1's blind sources are retired into train and dev (two thirds,
one third, by a second hash): they were scored once and may now be read. A source not used in
round 1 belongs to round 2: half of them blind, a third train, a sixth dev.

Usage: python scripts/real_sources.py URL [URL ...]   (prints the part of each)
"""

from __future__ import annotations

import hashlib
import re
import sys
from functools import cache
from pathlib import Path

ROUND = 2
ROUND1 = Path(__file__).resolve().parents[1] / "tests/nlu/real/round1_sources.tsv"
RETIRED = ("train", "train", "dev")  # round 1's blind sources, now readable
NEW = ("blind", "blind", "blind", "train", "train", "dev")  # sources first used in round 2


def normalise(source: str) -> str:
    s = source.strip().lower()
    s = re.sub(r"^[a-z]+://", "", s)
    s = re.sub(r"^www\.", "", s)
    s = s.split("#", 1)[0]
    address, _, query = s.partition("?")
    if query and ("/" not in address.rstrip("/") or "rechtspraak.nl" in address):
        # "site.nl/?news/123" and "uitspraken.rechtspraak.nl/inziendocument?id=ECLI:...": the query names it
        return address.rstrip("/") + "/?" + query
    return address.rstrip("/")


@cache
def round1() -> dict[str, str]:
    lines = ROUND1.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line and not line.startswith("#"))


def _pick(choices: tuple[str, ...], salt: str, source: str) -> str:
    digest = hashlib.sha256(f"{salt}|{source}".encode()).hexdigest()
    return choices[int(digest, 16) % len(choices)]


def part_of(source: str) -> str:
    n = normalise(source)
    old = round1().get(n)
    if old == "blind":
        return _pick(RETIRED, "retired-round-1", n)
    if old:
        return old
    return _pick(NEW, "round-2", n)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        n = normalise(arg)
        print(part_of(arg), "(used in round 1)" if n in round1() else "(new)", arg)
