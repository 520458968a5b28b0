"""Which part of the real-world data a source belongs to: blind, dev or train.

Every case in tests/nlu/real/*.jsonl names its `source` (a URL, or a repository path for a public
test suite). One source (one article, one ruling, one test-suite template) goes to exactly one part,
decided by a hash of its normalised address, so people collecting in parallel never put the same
source in two parts, and nobody chooses which stories end up blind.

Rounds. A blind set is scored once per round. The sources of every finished round
(tests/nlu/real/round<N>_sources.tsv) keep their part, except that its blind sources are retired into
train and dev (two thirds, one third, by a second hash): they were scored once and may now be read.
A source no earlier round used belongs to the current round: half of them blind, a third train, a
sixth dev.

Usage: python scripts/real_sources.py URL [URL ...]   (prints the part of each)
       python scripts/real_sources.py --write-round     (at the end of a round: writes round<ROUND>_sources.tsv,
                                                         every source first used in this round and its part)
"""

from __future__ import annotations

import hashlib
import re
import sys
from functools import cache
from pathlib import Path

ROUND = 31
REAL = Path(__file__).resolve().parents[1] / "tests/nlu/real"
RETIRED = ("train", "train", "dev")  # a finished round's blind sources, now readable
NEW = ("blind", "blind", "blind", "train", "train", "dev")  # sources first used in this round


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
def earlier_rounds() -> dict[str, tuple[int, str]]:
    """Every source a finished round used: its round and the part it was in then."""
    used: dict[str, tuple[int, str]] = {}
    for number in range(1, ROUND):
        lines = (REAL / f"round{number}_sources.tsv").read_text(encoding="utf-8").splitlines()
        for line in lines:
            if line and not line.startswith("#"):
                source, part = line.split("\t")
                used.setdefault(source, (number, part))
    return used


def _hash(salt: str, source: str) -> int:
    return int(hashlib.sha256(f"{salt}|{source}".encode()).hexdigest(), 16)


def _pick(choices: tuple[str, ...], salt: str, source: str) -> str:
    return choices[_hash(salt, source) % len(choices)]


def part_of(source: str) -> str:
    n = normalise(source)
    if n in earlier_rounds():
        number, part = earlier_rounds()[n]
        return _pick(RETIRED, f"retired-round-{number}", n) if part == "blind" else part
    return _pick(NEW, f"round-{ROUND}", n)


def fold_of(source: str, folds: int) -> int:
    """The cross-fitting fold (0 .. folds - 1) of a development case's source: one source, one fold, by a hash of
    its own (scripts/tune_triage.py scores each fold with a model fitted without it)."""
    return _hash("cross-fit", normalise(source)) % folds


def write_round() -> Path:
    """round<ROUND>_sources.tsv: every source in the jsonl files that no finished round used, with its part now."""
    from real_data import read_jsonl

    first_used = {}
    for case in read_jsonl(*sorted(REAL.glob("*.jsonl"))):
        source = normalise(case["source"])
        if source not in earlier_rounds():
            first_used[source] = part_of(source)
    out = REAL / f"round{ROUND}_sources.tsv"
    header = f"# Round {ROUND}: every source first used then, normalised, and the part it was in. Read by scripts/real_sources.py.\n"
    out.write_text(header + "".join(f"{s}\t{first_used[s]}\n" for s in sorted(first_used)), encoding="utf-8")
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-round"]:
        print("wrote", write_round())
        sys.exit(0)
    for arg in sys.argv[1:]:
        n = normalise(arg)
        used = earlier_rounds().get(n)
        print(part_of(arg), f"(used in round {used[0]})" if used else "(new)", arg)
