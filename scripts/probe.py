"""`make probe`: the attacks and faults of issue 12 that this part of the work closes, against real servers on
127.0.0.1 (scripts/servers.py), each asserting the safe behaviour, with numbers.

Cases (each bounded in time):
- forged tracker: a tracker taken from a real conversation at its summary, posted straight to the action
  server's /webhook as "action_submit_report" for a new conversation id, without the token and with a wrong
  one: refused (401), 0 reports for that id. A control with the token shows the forgery would have filed.
- fuzz: N seeded messages (default 10,000) over REST by 16 clients: stories, answers, button payloads, invalid
  Unicode (lone surrogates), control characters, "/session_start", "/restart", "/intent{...}" texts, HTML,
  very long texts: 0 non-200, 0 empty answers, 0 tracebacks in the servers' logs.
- session takeover (widget, socket.io): a second socket with the same token is refused; a socket that names
  someone else's session id gets a session of its own, reads none of the victim's messages and writes none.
- killed action server (last): every message still gets the fixed answer with 112, none is silent.

Not here (other parts of issue 12): stale "ja", payload injection, griffie login lockout race.
Usage: python scripts/probe.py [--fuzz 10000] [--seed 12] [--out var/probe.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import time
from pathlib import Path

import aiohttp
from sio import SioClient
from sqlalchemy import create_engine, text

import servers

STORY = "Een man op de markt riep: jij bent een landverrader, ik weet waar je woont"
FORM = ["/inform{\"role\":\"raadslid\"}", "Leiden", "ja", "Een man met een rode jas", "gisteren", "op de markt",
        "face_to_face", "alleen woorden", "schreeuwend", "het besluit"]
SAFE_WORDS = ("112",)


class Failed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


async def say(http: aiohttp.ClientSession, url: str, sender: str, message, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps({"sender": sender, "message": message}).encode()
    async with http.post(f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}) as r:
        return r.status, await r.text()


def reports_for(database_url: str, conversation: str) -> int:
    with create_engine(database_url).connect() as db:
        return db.execute(text("SELECT count(*) FROM reports WHERE conversation_id = :c"), {"c": conversation}).scalar_one()


# --- forged tracker --------------------------------------------------------------------------------------------
async def forged_tracker(bot: servers.Servers) -> dict:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        sender = "probe-summary"
        for message in [STORY, *FORM]:
            status, _ = await say(http, bot.rasa_url, sender, message)
            check(status == 200, f"conversation to the summary: {status}")
        params = {"token": bot.rasa_token}
        async with http.get(f"{bot.rasa_url}/conversations/{sender}/tracker", params=params) as r:
            tracker = await r.json()
        async with http.get(f"{bot.rasa_url}/domain", params=params, headers={"Accept": "application/json"}) as r:
            domain = await r.json()

        def forged(conversation: str) -> dict:
            return {"next_action": "action_submit_report", "sender_id": conversation, "version": "3.6.21",
                    "tracker": {**tracker, "sender_id": conversation}, "domain": domain}

        statuses = []
        for i, headers in enumerate([{}, {"X-Action-Token": "guess"}, {"X-Action-Token": ""},
                                     {"Authorization": f"Bearer {bot.env['ACTION_SERVER_TOKEN']}"}]):
            async with http.post(f"{bot.action_url}/webhook", json=forged(f"probe-forged-{i}"), headers=headers) as r:
                statuses.append(r.status)
        filed = sum(reports_for(bot.database_url, f"probe-forged-{i}") for i in range(4))
        async with http.post(f"{bot.action_url}/webhook", json=forged("probe-control"),
                             headers={"X-Action-Token": bot.env["ACTION_SERVER_TOKEN"]}) as r:
            control_status = r.status
        control = reports_for(bot.database_url, "probe-control")
    check(all(s in (401, 403) for s in statuses), f"forged requests answered {statuses}")
    check(filed == 0, f"forged trackers filed {filed} reports")
    return {"forged_requests": len(statuses), "statuses": sorted(set(statuses)), "reports": filed,
            "control_with_token_status": control_status, "control_with_token_reports": control}


# --- fuzz ------------------------------------------------------------------------------------------------------
def corpus(n: int, seed: int) -> list[tuple[str, object, bytes | None]]:
    """(sender, message, raw body or None) for n messages; senders are reused so conversations get deep."""
    rnd = random.Random(seed)
    words = ("hij", "zij", "schold", "mij", "uit", "dreigde", "ik weet waar je woont", "raadslid", "Leiden", "ja", "nee",
             "stop", "markt", "gisteren", "mes", "deur", "bedreigd", "wethouder", "Alkmaar", "help", "melding")
    controls = ["/session_start", "/restart", "/back", "/nlu_fallback", "/action_submit_report", "/affirm", "/deny",
                "/change", "/stop", "/request_human", "/inform", "/onbekend", '/affirm{"municipality":"Amsterdam"}',
                '/inform{"role":"burgemeester"}', '/inform{"role":', "/session_start{\"x\":1}", "/", "//", "/ restart"]
    odd = ["\ud800", "\udfff", "a\ud800b", "\ud83d", "\x00", "\x1b[31mrood", "\u202eomgekeerd", "\u200b", "\ufeff",
           "<script>alert(1)</script>", "' OR 1=1 --", "{{7*7}}", "%s%s%n", "\\u0000", "😀" * 50, "\t\n", "   "]

    def message() -> object:
        kind = rnd.random()
        if kind < 0.25:
            return " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 12)))
        if kind < 0.40:
            return rnd.choice(controls)
        if kind < 0.60:
            return rnd.choice(odd) + rnd.choice(["", " ", " " + rnd.choice(words)])
        if kind < 0.72:  # random code points, surrogates included
            return "".join(chr(rnd.randint(0, 0x2FFFF)) for _ in range(rnd.randint(1, 40)))
        if kind < 0.80:
            return rnd.choice([STORY, *FORM])
        if kind < 0.84:
            return "x" * rnd.choice([3999, 4001, 10000, 20001, 25000])
        if kind < 0.90:
            return rnd.choice([None, 5, 1.5, True, ["a"], {"a": 1}, ""])
        return rnd.choice(words)

    items: list[tuple[str, object, bytes | None]] = []
    for _ in range(n):
        sender = f"probe-fuzz-{rnd.randrange(max(1, n // 8))}"
        if rnd.random() < 0.02:  # bytes that are not UTF-8 at all
            items.append((sender, None, b'{"sender": "' + sender.encode() + b'", "message": "\xff\xfe\xc3 hallo"}'))
        else:
            items.append((sender, message(), None))
    return items


async def fuzz(bot: servers.Servers, n: int, seed: int, clients: int = 16) -> dict:
    items = corpus(n, seed)
    by_sender: dict[str, list] = {}
    for item in items:  # one conversation's messages in order, conversations in parallel
        by_sender.setdefault(item[0], []).append(item)
    queues = list(by_sender.values())
    non_200, empty, examples = 0, 0, []
    started = time.monotonic()

    async def worker(http: aiohttp.ClientSession, mine: list[list]) -> None:
        nonlocal non_200, empty
        for conversation in mine:
            for sender, message, raw in conversation:
                status, body = await say(http, bot.rasa_url, sender, message, raw)
                if status != 200:
                    non_200 += 1
                    if len(examples) < 5:
                        examples.append({"status": status, "message": repr(message)[:80], "body": body[:200]})
                    continue
                answer = json.loads(body)
                if not any((m.get("text") or "").strip() or m.get("buttons") for m in answer):
                    empty += 1
                    if len(examples) < 5:
                        examples.append({"empty": repr(message)[:80]})

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        await asyncio.gather(*(worker(http, queues[i::clients]) for i in range(clients)))
    seconds = time.monotonic() - started
    tracebacks = sum(log.read_text(errors="replace").count("Traceback") for log in bot.logs)
    result = {"messages": n, "seed": seed, "non_200": non_200, "empty_answers": empty, "tracebacks_in_logs": tracebacks,
              "seconds": round(seconds, 1), "messages_per_s": round(n / seconds, 1), "examples": examples}
    check(non_200 == 0 and empty == 0 and tracebacks == 0, f"fuzz: {result}")
    return result


# --- session takeover ------------------------------------------------------------------------------------------
async def takeover(bot: servers.Servers) -> dict:
    async with SioClient(bot.rasa_url) as victim:
        name, data = await victim.session()
        check(name == "session_confirm", f"victim: {name}")
        victim_id, victim_token = data["session_id"], data["session_token"]
        await victim.emit("user_uttered", {"message": STORY, "session_id": victim_id}, ack=True)
        await victim.events_within(1)

        async with SioClient(bot.rasa_url) as second:  # same token, while the victim is connected
            refused_same_token, _ = await second.session(token=victim_token)
        async with SioClient(bot.rasa_url) as attacker:  # the victim's id only (what Rasa 3.6 accepted)
            name, data = await attacker.session(session_id=victim_id)
            attacker_id = data["session_id"] if name == "session_confirm" else None
            # it writes naming the victim's session; the answer can only come to its own session
            await attacker.emit("user_uttered", {"message": "Ik ben de aanvaller", "session_id": victim_id}, ack=True)
            await attacker.events_within(1)
            await victim.emit("user_uttered", {"message": "Leiden", "session_id": victim_id}, ack=True)
            victim_saw = await victim.events_within(2)
            attacker_saw = [e for e in await attacker.events_within(1) if e[0] == "bot_uttered"]
        async with SioClient(bot.rasa_url) as forger:  # a made-up token for the victim's id
            name, data = await forger.session(token=f"{victim_id}.9999999999.{'A' * 43}")
            forged_id = data["session_id"] if name == "session_confirm" else None

    async with aiohttp.ClientSession() as http, http.get(
            f"{bot.rasa_url}/conversations/{victim_id}/tracker", params={"token": bot.rasa_token}) as r:
        events = (await r.json())["events"]
    victim_texts = [e.get("text") for e in events if e.get("event") == "user"]
    result = {"second_socket_same_token": refused_same_token, "attacker_got_own_session": attacker_id not in (None, victim_id),
              "forged_token_got_own_session": forged_id not in (None, victim_id),
              "attacker_read_victim_messages": len(attacker_saw), "attacker_wrote_into_victim": "Ik ben de aanvaller" in victim_texts,
              "victim_still_answered": any(e[0] == "bot_uttered" for e in victim_saw)}
    check(refused_same_token == "session_refused", f"second socket: {refused_same_token}")
    check(result["attacker_got_own_session"] and result["forged_token_got_own_session"], f"takeover: {result}")
    check(not attacker_saw and not result["attacker_wrote_into_victim"], f"takeover: {result}")
    check(result["victim_still_answered"], "the victim got no answer")
    return result


# --- killed action server --------------------------------------------------------------------------------------
async def killed_action_server(bot: servers.Servers) -> dict:
    action_server = bot.processes[0]
    action_server.terminate()
    action_server.wait(20)
    stories = [STORY, "Hij staat nu voor mijn deur en dreigt mij te slaan"]
    messages = [*stories, "ja", "Leiden", "hallo", "/affirm"]
    answered, with_112, silent, latencies = 0, 0, 0, []
    stories_without_112 = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        for i, message in enumerate(messages * 3):
            started = time.monotonic()
            status, body = await say(http, bot.rasa_url, f"probe-killed-{i % 4}", message)
            latencies.append(time.monotonic() - started)
            said = " ".join(m.get("text") or "" for m in json.loads(body)) if status == 200 else ""
            answered += bool(said.strip())
            silent += not said.strip()
            with_112 += "112" in said
            stories_without_112 += message in stories and "112" not in said
    # an answer Rasa gives from its own responses (a greeting) needs no action server and is no fixed answer
    result = {"messages": len(messages) * 3, "answered": answered, "silent": silent, "with_112": with_112,
              "stories_without_112": stories_without_112, "max_latency_s": round(max(latencies), 2)}
    check(silent == 0 and stories_without_112 == 0, f"killed action server: {result}")
    return result


async def run_all(bot: servers.Servers, n: int, seed: int) -> dict:
    results: dict[str, dict] = {}
    failures = []
    for name, case in [("forged_tracker", lambda: forged_tracker(bot)), ("fuzz", lambda: fuzz(bot, n, seed)),
                       ("session_takeover", lambda: takeover(bot)), ("killed_action_server", lambda: killed_action_server(bot))]:
        started = time.monotonic()
        try:
            results[name] = {"ok": True, **await asyncio.wait_for(case(), 300 + (0.2 * n if name == "fuzz" else 0))}
        except (Failed, TimeoutError, AssertionError) as error:
            results[name] = {"ok": False, "error": str(error)[:2000]}
            failures.append(name)
        results[name]["case_seconds"] = round(time.monotonic() - started, 1)
        print(f"  {name:22} {'ok  ' if results[name]['ok'] else 'FAIL'} "
              f"{json.dumps({k: v for k, v in results[name].items() if k not in ('ok', 'examples')}, ensure_ascii=False)}",
              flush=True)
    return {"cases": results, "failures": failures}


def main() -> int:
    parser = argparse.ArgumentParser(description="issue 12 probe suite (loopback only)")
    parser.add_argument("--fuzz", type=int, default=10_000, help="fuzzed messages (at least 10,000 for the full probe)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--out", default="var/probe.json")
    args = parser.parse_args()
    if not servers.MODEL.exists():
        print("no trained model: run 'make train' first", file=sys.stderr)
        return 2
    workdir = servers.ROOT / "var" / "probe"
    shutil.rmtree(workdir, ignore_errors=True)
    started = time.monotonic()
    print(f"probe: servers on 127.0.0.1, fuzz {args.fuzz} messages (seed {args.seed})", flush=True)
    with servers.running(workdir, database_url=f"sqlite:///{workdir / 'probe.db'}", extra_env=servers.RASA_THREADS) as bot:
        outcome = asyncio.run(run_all(bot, args.fuzz, args.seed))
    outcome["seconds"] = round(time.monotonic() - started, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    print(f"probe: {len(outcome['cases']) - len(outcome['failures'])}/{len(outcome['cases'])} cases passed "
          f"in {outcome['seconds']} s; {args.out}")
    return 1 if outcome["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
