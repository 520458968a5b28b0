"""How often the entity extractor takes a role or a municipality from a real-world story (the development set).

Every such story gets the routing form's question back ("Klopt het dat u raadslid bent in de gemeente Zwolle?",
actions/routing.py), so this is how often a user who tells a story like these is asked to confirm. Prints counts only,
never a story. Usage: python scripts/story_entities.py --model models/meldhulp.tar.gz
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from real_data import read_jsonl

import nlu_model

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "meldhulp.tar.gz"))
    parser.add_argument("--cases", nargs="*", type=Path, default=sorted((ROOT / "tests/nlu/real").glob("dev*.jsonl")))
    args = parser.parse_args(argv)
    texts = [case["text"] for case in read_jsonl(*args.cases)]
    parsed = nlu_model.parse_all(nlu_model.load(args.model), texts)
    tagged = [{e["entity"] for e in p.get("entities") or []} for p in parsed]
    counts = Counter(name for names in tagged for name in names & {"role", "municipality"})
    either = sum(bool(names & {"role", "municipality"}) for names in tagged)
    result = {"stories": len(texts), "role": counts["role"], "municipality": counts["municipality"],
              "asked_back": either, "asked_back_share": round(either / len(texts), 3) if texts else 0.0}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
