"""Which part of the real-world data a source belongs to: blind, dev or train.

Every case in tests/nlu/real/*.jsonl names its `source` (a URL, or a repository path for a public
test suite). One source (one article, one ruling, one test-suite template) goes to exactly one part,
decided by a hash of its normalised address, so people collecting in parallel never put the same
source in two parts, and nobody chooses which stories end up blind.
Usage: python scripts/real_sources.py URL [URL ...]   (prints the part of each)
"""

from __future__ import annotations

import hashlib
import re
import sys

PARTS = ("blind", "dev", "train", "train", "train")  # one fifth blind, one fifth dev


def normalise(source: str) -> str:
    s = source.strip().lower()
    s = re.sub(r"^[a-z]+://", "", s)
    s = re.sub(r"^www\.", "", s)
    s = s.split("#", 1)[0]
    address, _, query = s.partition("?")
    if query and "/" not in address.rstrip("/"):
        return address.rstrip("/") + "/?" + query  # "site.nl/?news/123": the query names the article
    return address.rstrip("/")


def part_of(source: str) -> str:
    digest = hashlib.sha256(normalise(source).encode("utf-8")).hexdigest()
    return PARTS[int(digest, 16) % len(PARTS)]


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(part_of(arg), arg)
