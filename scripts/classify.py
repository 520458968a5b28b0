"""Read JSON Lines with a "text" field on stdin; write one JSON line per input, in order:
{"label": "A"|"B"|"C"|"D"|null, "confidence": float, "cues": [...], ...}.

A line that is not valid JSON or has no text gets {"error": "..."} and the run goes on.
Usage: make -s classify < cases.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys

from nlu_model import load, parse_all, result_of


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    rows = []
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"] if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise ValueError
            rows.append(text)
        except (ValueError, KeyError):
            rows.append({"error": f"regel {number}: geen JSON-object met een tekstveld 'text'"})
    texts = [r for r in rows if isinstance(r, str)]
    agent = load(args.model)
    results = iter(parse_all(agent, texts))
    out = sys.stdout
    for row in rows:
        result = row if isinstance(row, dict) else result_of(next(results))
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
