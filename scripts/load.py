"""`make load`: throughput and latency of whole turns with 1 and 2 Rasa replicas at 1/8/32/128 concurrent clients.

The stack is the scaled-out one of scripts/servers.py (`replicas`): haproxy in front of N Rasa replicas and N action
servers, PostgreSQL tracker store, Redis lock store; everything on 127.0.0.1. Every client runs 5-turn
conversations (greeting, story, role, municipality, "nee") one turn after the other, each conversation its
own id, for `--seconds` per level (after a short warm-up), so the run is bounded in time. A turn is an error when
it is not HTTP 200 or has no answer.

The texts are varied and seeded (`--seed`): every story is its own, the short answers repeat in several spellings.
Beside turns/s and latency each level reports the CPU milliseconds per turn of each part of the stack (Rasa, action
servers, haproxy, Redis, PostgreSQL, this client; from /proc) and the cores other jobs of the machine used meanwhile:
on a shared machine the CPU per turn is what stays comparable between runs.

Prints a table and writes var/load.json. `--profile` records the first replica with py-spy during the 32-client
level of the one-replica run (var/load-profile.txt: share per part of a turn, top functions), when py-spy is
installed in .venv-rasa.
Usage: python scripts/load.py [--replicas 1 2] [--clients 1 8 32 128] [--seconds 20] [--seed 12] [--model FILE]
       [--out var/load.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

import servers

GOAL_CLIENTS, GOAL_P95_MS = 32, 500
TURNS = 5  # greeting, story, role, municipality, "nee"

# The texts vary as real ones do (seeded, so two runs send the same): every story is its own (tens of thousands of
# combinations), so no cache of the Rasa server can answer the expensive turn from an earlier one; the short answers
# repeat as people's short answers do ("nee", a municipality, a role button), in several spellings.
GREETINGS = ["hallo", "Hallo", "hoi", "goedemiddag", "Goedemorgen", "hallo, ik wil iets melden", "hi", "Dag",
             "goedenavond", "hallo daar", "Hoi, ik heb een vraag", "ik wil iets melden", "Goedendag", "hey", "hallo?"]
WHO = ["Een man", "Een vrouw", "Een onbekende man", "Iemand", "Mijn buurman", "Een groep jongeren", "Een inwoner",
       "Een oudere man", "Een vrouw met een hond", "Een man in een auto", "Een demonstrant", "Een anoniem account",
       "Een vader van school", "Een ondernemer uit het dorp"]
WHERE = ["op de markt", "na de raadsvergadering", "bij mijn voordeur", "op Facebook", "via WhatsApp", "in de supermarkt",
         "bij het gemeentehuis", "in een e-mail", "op X", "bij de school van mijn kinderen", "op het station",
         "tijdens de inspraakavond", "in de sporthal", "onder mijn post op Instagram", "aan de telefoon"]
WHAT = ["riep dat ik een landverrader ben", "zei: ik weet waar je woont", "schreef dat mijn huis in brand gaat",
        "schold me uit voor leugenaar", "duwde me opzij", "spuugde naar me", "volgde me tot aan mijn auto",
        "zei dat ik zou boeten als ik voor het plan stem", "noemde me een zakkenvuller",
        "stuurde een foto van mijn huis", "zei dat ze me wel weten te vinden", "riep dat ik moest oprotten",
        "dreigde mijn ruiten in te gooien", "maakte een filmpje van mij en mijn kinderen", "schreeuwde me uit"]
WHEN = ["", " Dat was gisteravond.", " Dat was vanochtend.", " Het gebeurde vorige week.", " Het gebeurde net.",
        " Dat was afgelopen zaterdag.", " Dat was vanmiddag.", " Het was eergisteren."]
TAIL = ["", " Ik ben erg geschrokken.", " Wat moet ik nu doen?", " Mijn kinderen waren erbij.",
        " Het is niet de eerste keer.", " Ik weet niet of dit ernstig is.", " Ik slaap er slecht van.",
        " Mijn partner maakt zich zorgen.", " Er waren ook andere mensen bij."]
ROLES = ["raadslid", "duolid", "fractievolger", "commissielid", "wethouder", "burgemeester", "fractiemedewerker",
         "familielid", "oud_raadslid"]
TYPED_ROLES = ["raadslid", "ik ben wethouder", "burgemeester", "gemeenteraadslid", "ik ben raadslid", "commissielid"]
MUNICIPALITIES = ["Leiden", "leiden", "Alkmaar", "alkmaar", "Nijmegen", "nijmegen", "Nunspeet", "Midden-Delfland",
                  "midden delfland", "gemeente Leiden", "in Nijmegen", "Alkmaar graag", "Utrecht", "Amsterdam"]
CLOSINGS = ["nee", "Nee", "nee dank u", "nee, dat was het", "nee hoor", "Nee, bedankt", "nee nu niet", "nee dankje"]


def conversation_texts(rng: random.Random) -> list[str]:
    """One 5-turn conversation with its own story (greeting, story, role, municipality, "nee")."""
    story = f"{rng.choice(WHO)} {rng.choice(WHAT)} {rng.choice(WHERE)}.{rng.choice(WHEN)}{rng.choice(TAIL)}"
    role = rng.choice(TYPED_ROLES) if rng.random() < 0.2 else f'/inform{{"role":"{rng.choice(ROLES)}"}}'
    return [rng.choice(GREETINGS), story, role, rng.choice(MUNICIPALITIES), rng.choice(CLOSINGS)]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def level(url: str, clients: int, seconds: float, tag: str, seed: int = 0) -> dict:
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=clients + 4)

    async def client(number: int, http: aiohttp.ClientSession) -> None:
        nonlocal errors
        conversation = 0
        rng = random.Random(f"{seed}-{clients}-{number}")
        while time.monotonic() < stop_at:
            conversation += 1
            sender = f"load-{tag}-{clients}-{number}-{conversation}"
            for message in conversation_texts(rng):
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


# --- where the CPU goes: CPU seconds of each part of the stack per level, from /proc (Linux) -------------------
_HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int, with_children: bool = False) -> float:
    """CPU seconds of a process (all its threads); with its descendants, live or ended, when asked."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if not with_children:
        return ticks / _HZ
    ticks += int(fields[13]) + int(fields[14])  # ended children (cutime, cstime)
    return ticks / _HZ + sum(_proc_cpu(child, True) for child in _children(pid))


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _machine_busy() -> float:
    """CPU seconds all processes of the machine used since boot (not idle, not iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / _HZ


def stack_parts(workdir: Path) -> dict[str, list[tuple[int, bool]]]:
    """The stack's processes by part: Rasa, action servers, haproxy, Redis (children of this script), PostgreSQL."""
    parts: dict[str, list[tuple[int, bool]]] = {"rasa": [], "actions": [], "haproxy": [], "redis": [], "postgres": []}
    for pid in _children(os.getpid()):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
        except OSError:
            continue
        part = ("rasa" if " rasa run" in command else "actions" if "patches.action_server" in command
                else "haproxy" if "haproxy" in command else "redis" if "redis-server" in command else None)
        if part:
            parts[part].append((pid, part == "rasa"))  # a Rasa replica's own threads; no children
    postmaster = workdir / "pg" / "data" / "postmaster.pid"
    if postmaster.exists():
        parts["postgres"].append((int(postmaster.read_text().split()[0]), True))
    return parts


def cpu_snapshot(parts: dict[str, list[tuple[int, bool]]]) -> dict[str, float]:
    snapshot = {part: sum(_proc_cpu(pid, part in ("postgres",)) for pid, _ in pids) for part, pids in parts.items()}
    snapshot["load client"] = time.process_time()
    snapshot["machine"] = _machine_busy()
    return snapshot


def cpu_per_turn(before: dict[str, float], after: dict[str, float], turns: int, seconds: float) -> dict:
    """CPU milliseconds per turn of each part, and the cores the whole machine kept busy (other jobs too)."""
    used = {part: after[part] - before[part] for part in before}
    ours = sum(v for part, v in used.items() if part != "machine")
    row = {part: round(1000 * v / max(turns, 1), 1) for part, v in used.items() if part != "machine"}
    row["stack total"] = round(1000 * ours / max(turns, 1), 1)
    row["machine busy cores"] = round(used["machine"] / seconds, 2)
    row["other jobs cores"] = round(max(used["machine"] - ours, 0) / seconds, 2)
    return row


def profile(pid: int, seconds: int, out: Path) -> subprocess.Popen | None:
    py_spy = servers.RASA_PY.parent / "py-spy"
    if not py_spy.exists():
        print("  (no py-spy in .venv-rasa: .venv-rasa/bin/pip install py-spy)")
        return None
    return subprocess.Popen([str(py_spy), "record", "--pid", str(pid), "--duration", str(seconds), "--format", "raw",
                             "--output", str(out), "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Where a Rasa replica's time goes, by the part of a turn a sample is in (the first pattern found in its stack wins).
PARTS = [("e5 embedding, worker thread (patches/perf.py)", "_embed_one"), ("e5 embedding, on the event loop", "E5._encode"),
         ("NLU pipeline (spaCy, CRF, n-grams, classifier, ABCD)", "_parse_message_with_graph"),
         ("action server calls (tracker out as JSON, response checked)", "RemoteAction.run"),
         ("action server calls (tracker out as JSON, response checked)", "EndpointConfig.request"),
         ("tracker store: read the conversation", "TrackerStore.retrieve"),
         ("tracker store: save the turn", "save_tracker"), ("policies: predict the next action", "_predict_next_with_tracker"),
         ("Redis lock", "lock_store"), ("Redis lock", "redis/"),
         ("Rasa's own actions and events of a turn", "_run_action"), ("Rasa's own actions and events of a turn", "extract_slots"),
         ("HTTP in and out (Sanic)", "sanic/")]


def profile_summary(raw: Path, n: int = 12) -> list[str]:
    """Share of py-spy's samples per part of a turn, then the functions with the most samples of their own."""
    total, parts, own = 0, {}, {}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        part = next((name for name, pattern in PARTS if pattern in stack), "other")
        parts[part] = parts.get(part, 0) + samples
        leaf = stack.split(";")[-1]
        own[leaf] = own.get(leaf, 0) + samples
    if not total:
        return []
    lines = [f"{100 * c / total:5.1f}%  {name}" for name, c in sorted(parts.items(), key=lambda kv: -kv[1])]
    lines.append("functions (own samples):")
    lines += [f"{100 * c / total:5.1f}%  {f}" for f, c in sorted(own.items(), key=lambda kv: -kv[1])[:n]]
    return lines


async def run(args) -> dict:
    results: dict = {"conversation_turns": TURNS, "seconds_per_level": args.seconds, "seed": args.seed, "runs": []}
    for count in args.replicas:
        workdir = servers.ROOT / "var" / "load" / f"replicas{count}"
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"load: starting {count} replica(s) behind haproxy ...", flush=True)
        with servers.replicas(workdir, count=count) as stack:
            await level(stack.rasa_url, 4, 5, f"warmup{count}", args.seed + 1)  # models warm, connections open
            for clients in args.clients:
                recorder = None
                if args.profile and count == 1 and clients == GOAL_CLIENTS:
                    recorder = profile(stack.processes[count].pid, int(args.seconds), servers.ROOT / "var" / "load-profile.raw")
                parts = stack_parts(workdir)
                before = cpu_snapshot(parts)
                row = {"replicas": count, **await level(stack.rasa_url, clients, args.seconds, f"r{count}", args.seed)}
                row["cpu_ms_per_turn"] = cpu_per_turn(before, cpu_snapshot(parts), row["turns"], row["seconds"])
                row["load_average_1min"] = round(os.getloadavg()[0], 2)  # the whole machine's, this stack included
                if recorder:
                    recorder.wait(60)
                    raw = servers.ROOT / "var" / "load-profile.raw"
                    if raw.exists():
                        lines = profile_summary(raw)
                        (servers.ROOT / "var" / "load-profile.txt").write_text("\n".join(lines) + "\n")
                        results["profile_top"] = lines
                results["runs"].append(row)
                print(f"  replicas {count}  clients {clients:4}  turns {row['turns']:6}  {row['turns_per_s']:6.1f}/s  "
                      f"p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  errors {row['errors']}", flush=True)
                print("      CPU ms per turn: " + ", ".join(f"{k} {v}" for k, v in row["cpu_ms_per_turn"].items()), flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32, 128])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--seed", type=int, default=12, help="the texts' random seed (the same seed sends the same texts)")
    parser.add_argument("--out", default="var/load.json")
    parser.add_argument("--check", action="store_true", help=f"fail unless p95 <= {GOAL_P95_MS} ms at {GOAL_CLIENTS} "
                        "clients with the most replicas, and no errors anywhere")
    parser.add_argument("--model", type=Path, help="another model file (default models/meldhulp.tar.gz): a copy keeps "
                        "a comparison on one model while a training replaces the shared one")
    args = parser.parse_args()
    if args.model:
        servers.MODEL = args.model.resolve()
    if not servers.MODEL.exists():
        print("no trained model: run 'make train' first", file=sys.stderr)
        return 2
    results = asyncio.run(run(args))
    print("\n| replicas | clients | turns/s | p50 ms | p95 ms | errors | CPU ms/turn: stack (Rasa) | other jobs, cores "
          "| load avg |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in results["runs"]:
        cpu = row["cpu_ms_per_turn"]
        print(f"| {row['replicas']} | {row['clients']} | {row['turns_per_s']} | {row['p50_ms']} | {row['p95_ms']} | {row['errors']} "
              f"| {cpu['stack total']} ({cpu['rasa']}) | {cpu['other jobs cores']} | {row['load_average_1min']} |")
    if results.get("profile_top"):
        print("\nprofile, one replica at 32 clients (py-spy, share of samples):\n" + "\n".join(results["profile_top"]))
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
