"""Latency of a full turn: REST message -> Rasa server (NLU + policies) -> action server -> reply.

Starts both servers on a fresh SQLite database, holds whole conversations (story, role,
municipality, the report form, summary, confirmation) and measures every turn.
Fails (exit 1) when p95 > the limit (issue 2: 150 ms on this 2-core machine).
Usage: python scripts/bench_latency.py [--conversations 20] [--limit-ms 150] [--out var/latency.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import servers

REPORT = ["ja", "Een man van ongeveer 50", "gisteren rond 11 uur", "op de weekmarkt", "face_to_face",
          "alleen woorden", "schreeuwend", "het besluit over de markt", "/affirm"]
# Whole conversations, each answering the questions it really gets (checked by the e2e test and
# the test stories): a threat that is reported, personal aggression that went on after a warning,
# criticism of policy that is not reported, and a story with acute danger.
CONVERSATIONS = [
    ["Een man op de markt riep: jij bent een landverrader, ik weet waar je woont",
     '/inform{"role":"raadslid"}', "Leiden", *REPORT],
    ["Een inwoner schold me uit voor oplichter op Facebook", "ja", '/inform{"role":"wethouder"}', "Nijmegen", *REPORT],
    ["Jullie beleid is een schande, riep hij tijdens de inspraak", "nee", "ik ben duolid", "Alkmaar", "nee"],
    ["Help, hij staat nu voor mijn deur en schreeuwt dat hij me gaat pakken", "burgemeester", "Nunspeet", *REPORT],
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--limit-ms", type=float, default=150.0)
    parser.add_argument("--out")
    args = parser.parse_args()
    timings: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, servers.running(Path(tmp)) as bot:
        bot.say("warm-up", CONVERSATIONS[0][0])  # first call loads lazily initialised parts
        for n in range(args.conversations):
            sender = f"bench-{n}"
            for turn in CONVERSATIONS[n % len(CONVERSATIONS)]:
                started = time.perf_counter()
                replies = bot.say(sender, turn)
                timings.append((time.perf_counter() - started) * 1000)
                if not replies:
                    print(f"no reply to {turn!r}", file=sys.stderr)
    result = {
        "turns": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "limit_p95_ms": args.limit_ms,
    }
    print(json.dumps(result))
    if args.out:
        Path(servers.ROOT / args.out).write_text(json.dumps(result, indent=2))
    return 0 if result["p95_ms"] <= args.limit_ms else 1


if __name__ == "__main__":
    sys.exit(main())
