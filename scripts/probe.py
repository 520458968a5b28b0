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
- stale confirm: 30 conversations reach the summary, move on ("Aanpassen" or "Niet indienen"), then send "ja":
  0 reports (the summary hash of bot/actions/report_summary.py).
- payload injection: the summary shows Leiden, the user types '/affirm{"municipality":"Amsterdam",...}': what is
  filed equals the summary or nothing is filed; a typed '/inform{"municipality":...,"role":...}' sets no slot
  (bot/patches/payload_guard.py): 0 injections.
- griffie login (channels/griffie/app.py on 127.0.0.1, the probe's database): 30 concurrent wrong guesses count
  at most 5 attempts and the right password is then refused too; the medians of a wrong password for a known and
  for an unknown account (both printed) differ by less than the noise; after logout the old cookie is dead.
- killed action server (last): every message still gets the fixed answer with 112, none is silent.
Usage: python scripts/probe.py [--fuzz 10000] [--seed 12] [--out var/probe.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import statistics
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


SUMMARY_BUTTON = "Ja, indienen"  # the summary's confirm button (bot/actions/report_summary.py CONFIRM_BUTTONS)


def buttons(body: str) -> list[str]:
    return [b.get("title", "") for m in json.loads(body) for b in (m.get("buttons") or [])]


async def to_summary(http: aiohttp.ClientSession, bot: servers.Servers, sender: str) -> bool:
    """STORY and the FORM lines up to the summary; True when the bot's last answer is the summary with its confirm
    button (the form may ask fewer questions than FORM answers: it stops at the summary)."""
    for message in [STORY, *FORM]:
        status, body = await say(http, bot.rasa_url, sender, message)
        check(status == 200, f"{sender}: {status} for a form line")
        if SUMMARY_BUTTON in buttons(body):
            return True
    return False


# --- forged tracker --------------------------------------------------------------------------------------------
async def forged_tracker(bot: servers.Servers) -> dict:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        sender = "probe-summary"
        check(await to_summary(http, bot, sender), "forged tracker: the conversation did not reach the summary")
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
                '/inform{"role":"burgemeester"}', '/inform{"role":', "/session_start{\"x\":1}", "/", "//", "/ restart",
                "/restart@1", "/restart@", "/session_start@0.9", "/back@1"]
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
    non_200, empty, examples, done = 0, 0, [], 0
    started = time.monotonic()

    async def worker(http: aiohttp.ClientSession, mine: list[list]) -> None:
        nonlocal non_200, empty, done
        for conversation in mine:
            for sender, message, raw in conversation:
                status, body = await say(http, bot.rasa_url, sender, message, raw)
                done += 1
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

    async def progress() -> None:
        while True:
            await asyncio.sleep(30)
            elapsed = time.monotonic() - started
            print(f"    fuzz: {done}/{n} in {elapsed:.0f} s ({done / elapsed:.1f}/s)", flush=True)

    reporter = asyncio.create_task(progress())
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
            await asyncio.gather(*(worker(http, queues[i::clients]) for i in range(clients)))
    finally:
        reporter.cancel()
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


# --- dialogue integrity: stale "ja" and payload injection at the summary -------------------------------------------
def filed(database_url: str, conversation: str) -> list[dict]:
    with create_engine(database_url).connect() as db:
        rows = db.execute(text("SELECT municipality, municipality_key, readable_by FROM reports WHERE conversation_id = :c"),
                          {"c": conversation}).mappings().all()
    return [dict(r) for r in rows]


async def report_status(http: aiohttp.ClientSession, bot: servers.Servers, sender: str) -> str | None:
    async with http.get(f"{bot.rasa_url}/conversations/{sender}/tracker", params={"token": bot.rasa_token}) as r:
        return ((await r.json()).get("slots") or {}).get("report_status")


async def stale_confirm(bot: servers.Servers, tries: int = 30) -> dict:
    """At the summary the user moves on; then a late "ja" arrives: 0 reports. Two kinds of move: "Aanpassen" or "Niet
    indienen" reset the summary status, so they test little; a question at the summary ("Wie is mijn
    contactpersoon?", "Wat moet ik nu doen?") keeps it "confirming", so only the binding of "ja" to the summary
    question (report_summary.summary_question_open) stops the filing. A move whose answer shows the summary again makes the
    next "ja" timely, not stale: those tries are counted apart."""
    resetting, keeping = ["/change", "/deny"], ["Wie is mijn contactpersoon?", "Wat moet ik nu doen?"]
    moves = [*resetting, *keeping]
    reached, reports, kept_confirming, reasked = 0, 0, 0, 0
    gate = asyncio.Semaphore(6)

    async def one(i: int) -> None:
        nonlocal reached, reports, kept_confirming, reasked
        sender, move = f"probe-stale-{i}", moves[i % len(moves)]
        async with gate, aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
            if not await to_summary(http, bot, sender):
                return
            reached += 1
            status, body = await say(http, bot.rasa_url, sender, move)
            check(status == 200, f"{sender}: {status}")
            if move in keeping:
                if SUMMARY_BUTTON in buttons(body):  # asked again: a "ja" now is timely
                    reasked += 1
                    return
                kept_confirming += await report_status(http, bot, sender) == "confirming"
            status, _ = await say(http, bot.rasa_url, sender, "ja")
            check(status == 200, f"{sender}: {status}")
        reports += len(filed(bot.database_url, sender))

    await asyncio.gather(*(one(i) for i in range(tries)))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:  # control: "ja" in time files
        check(await to_summary(http, bot, "probe-stale-control"), "stale confirm: the control did not reach the summary")
        await say(http, bot.rasa_url, "probe-stale-control", "ja")
    control = len(filed(bot.database_url, "probe-stale-control"))
    result = {"tries": tries, "reached_summary": reached, "reports_after_stale_ja": reports,
              "status_kept_confirming": kept_confirming, "summary_asked_again_after_question": reasked,
              "control_timely_ja_reports": control}
    check(control == 1, f"stale confirm: a timely 'ja' at the summary filed {control} reports, so the case proves nothing: {result}")
    check(reached == tries, f"stale confirm: the conversation did not reach the summary ({result}); FORM changed?")
    check(kept_confirming > 0, f"stale confirm: no question at the summary kept its status, so the binding was not "
                               f"tested: {result}")
    check(reports == 0, f"stale confirm: {reports}/{tries} stale 'ja' filed a report")
    return result


async def payload_injection(bot: servers.Servers, tries: int = 5) -> dict:
    """The summary shows Leiden; typed '/affirm{"municipality":"Amsterdam"}': what is filed equals the summary or
    nothing is filed. Also typed role and municipality payloads before the form (no button offered them)."""
    injected, filed_total, other = 0, 0, []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        for i in range(tries):
            sender = f"probe-inject-{i}"
            check(await to_summary(http, bot, sender), f"{sender}: the summary was not reached; FORM changed?")
            status, _ = await say(http, bot.rasa_url, sender, '/affirm{"municipality":"Amsterdam","municipality_key":"amsterdam"}')
            check(status == 200, f"{sender}: {status}")
            rows = filed(bot.database_url, sender)
            filed_total += len(rows)
            injected += sum("amsterdam" in json.dumps(r).lower() for r in rows)
        # control: a plain "ja" at the same summary files it, with Leiden (so the count above can see a report)
        check(await to_summary(http, bot, "probe-inject-control"), "control: the summary was not reached")
        await say(http, bot.rasa_url, "probe-inject-control", "ja")
        control = filed(bot.database_url, "probe-inject-control")
        # a typed municipality payload at the start sets nothing either (the tracker's slot stays empty)
        sender = "probe-inject-slot"
        for message in [STORY, '/inform{"municipality":"Amsterdam","role":"burgemeester"}']:
            await say(http, bot.rasa_url, sender, message)
        async with http.get(f"{bot.rasa_url}/conversations/{sender}/tracker", params={"token": bot.rasa_token}) as r:
            slots = (await r.json()).get("slots") or {}
        other = [name for name in ("municipality", "role") if slots.get(name) in ("Amsterdam", "burgemeester")]
    result = {"tries": tries, "reports_filed": filed_total, "injections": injected + len(other),
              "slots_set_by_typed_payload": other, "control_plain_ja_reports": len(control),
              "control_municipality": control[0]["municipality_key"] if control else None}
    check(injected == 0 and not other, f"payload injection: {result}")
    check(len(control) == 1 and control[0]["municipality_key"] == "leiden",
          f"payload injection: the control (plain 'ja' at the summary) did not file the summary, so the case proves "
          f"nothing: {result}")
    return result


# --- griffie login: lockout race, timing, logout ------------------------------------------------------------------
PROBE_PASSWORD = "een lang probe-wachtwoord"


class Griffie:
    """The griffie web app (channels/griffie/app.py) on 127.0.0.1, on the probe's database, with one account."""

    def __init__(self, bot: servers.Servers, workdir: Path) -> None:
        self.bot, self.workdir, self.url, self.runner = bot, workdir, "", None

    async def __aenter__(self) -> Griffie:
        import os

        from aiohttp import web

        os.environ["DATABASE_URL"] = self.bot.database_url  # actions.store.db reads it on first use
        for name in ("REPORT_ENCRYPTION_KEY", "REPORT_ENCRYPTION_KEY_FILE"):  # the report pages decrypt
            if self.bot.env.get(name):
                os.environ[name] = self.bot.env[name]
        from actions.store import db
        from channels.griffie import app as griffie
        from channels.griffie.accounts import Accounts, hash_password
        from channels.rasa_client import RasaClient
        from core.config import get_settings

        get_settings.cache_clear()
        db.engine.cache_clear()
        accounts = self.workdir / "griffie-accounts.yml"
        accounts.write_text("accounts:\n" + "".join(
            f"  {name}:\n    municipality: leiden\n    password_hash: \"{hash_password(PROBE_PASSWORD)}\"\n"
            for name in ("probe-race", "probe-timing", "probe-logout")))
        app = web.Application()
        griffie.add_routes(app, RasaClient(self.bot.rasa_url, self.bot.rasa_token), accounts=Accounts(str(accounts)),
                           secret="probe-secret-" + "x" * 32)
        app[griffie.FAILURE_DELAY] = 0.0  # the probe measures the lock and the hash, not the fixed delay
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.runner.cleanup()

    async def login(self, http: aiohttp.ClientSession, username: str, password: str, token: str | None = None):
        if token is None:
            token = await self.form_token(http)
        async with http.post(f"{self.url}/griffie/login", data={"username": username, "password": password, "csrf": token},
                             allow_redirects=False) as r:
            return r.headers.get("Location", ""), r.cookies.get("meldhulp_griffie")

    async def form_token(self, http: aiohttp.ClientSession) -> str:
        async with http.get(f"{self.url}/griffie/login") as r:
            return re.search(r'name="csrf" value="([0-9a-f]+)"', await r.text()).group(1)  # type: ignore[union-attr]


async def griffie_login(bot: servers.Servers, workdir: Path, guesses: int = 30, samples: int = 15) -> dict:
    from actions.store import auth

    async with Griffie(bot, workdir) as griffie:
        # lockout race: N concurrent wrong guesses, then the right password
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            token = await griffie.form_token(http)
            answers = await asyncio.gather(*(griffie.login(http, "probe-race", f"gok-{i}", token) for i in range(guesses)))
            counted = auth.attempts("probe-race")
            right, _ = await griffie.login(http, "probe-race", PROBE_PASSWORD, token)
        race = {"concurrent_wrong_guesses": guesses, "attempts_counted": counted, "allowed": auth.MAX_ATTEMPTS,
                "all_refused": all(a[0].endswith("?failed") for a in answers), "right_password_after": right}

        # timing: a wrong password for a known account against one for an unknown name; both names have a lockout
        # row with a fresh count (cleared before each sample), so only the account's existence differs
        async def timed(username: str) -> float:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                token = await griffie.form_token(http)
                started = time.perf_counter()
                await griffie.login(http, username, "fout", token)
                return time.perf_counter() - started

        known, unknown = [], []
        for i in range(samples):  # alternating which goes first, so neither gets the warmer moment
            for name, times in ([("probe-timing", known), ("probe-unknown", unknown)][:: 1 if i % 2 else -1]):
                auth.clear_attempts(name)
                times.append(await timed(name))
        known_ms, unknown_ms = statistics.median(known) * 1000, statistics.median(unknown) * 1000
        spread = statistics.median(abs(a - b) for a, b in zip(known, known[1:], strict=False)) * 1000

        # logout: the old cookie is dead afterwards
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            location, cookie = await griffie.login(http, "probe-logout", PROBE_PASSWORD)
            check(location == "/griffie/" and cookie is not None, f"logout case: login failed ({location})")
            async with http.get(f"{griffie.url}/griffie/meldingen", allow_redirects=False) as r:
                before = r.status
                csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', await r.text())
            async with http.post(f"{griffie.url}/griffie/logout", data={"csrf": csrf.group(1) if csrf else ""},
                                 allow_redirects=False) as r:
                logged_out = r.headers.get("Location", "")
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http, http.get(
                f"{griffie.url}/griffie/meldingen", cookies={"meldhulp_griffie": cookie.value}, allow_redirects=False) as r:
            after = (r.status, r.headers.get("Location", ""))
    result = {**race, "timing_known_median_ms": round(known_ms, 1), "timing_unknown_median_ms": round(unknown_ms, 1),
              "timing_difference_ms": round(abs(known_ms - unknown_ms), 1), "timing_noise_ms": round(spread, 1),
              "logout": logged_out, "page_before_logout": before, "old_cookie_after_logout": list(after)}
    check(counted <= auth.MAX_ATTEMPTS and race["all_refused"] and right.endswith("?failed"), f"lockout race: {result}")
    # within noise: the difference of the medians is under 25% of the known median (plus the measured spread)
    check(abs(known_ms - unknown_ms) <= 0.25 * known_ms + spread, f"login timing: {result}")
    check(before == 200 and after == (302, "/griffie/login"), f"logout: {result}")
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


async def run_all(bot: servers.Servers, n: int, seed: int, workdir: Path) -> dict:
    results: dict[str, dict] = {}
    failures = []
    for name, case in [("forged_tracker", lambda: forged_tracker(bot)), ("stale_confirm", lambda: stale_confirm(bot)),
                       ("payload_injection", lambda: payload_injection(bot)),
                       ("griffie_login", lambda: griffie_login(bot, workdir)), ("fuzz", lambda: fuzz(bot, n, seed)),
                       ("session_takeover", lambda: takeover(bot)), ("killed_action_server", lambda: killed_action_server(bot))]:
        started = time.monotonic()
        try:
            results[name] = {"ok": True, **await asyncio.wait_for(case(), 300 + (0.2 * n if name == "fuzz" else 0))}
        except Exception as error:  # noqa: BLE001 - a case that breaks is a failed case, the others still run
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:2000]}
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
        outcome = asyncio.run(run_all(bot, args.fuzz, args.seed, workdir))
    outcome["seconds"] = round(time.monotonic() - started, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    print(f"probe: {len(outcome['cases']) - len(outcome['failures'])}/{len(outcome['cases'])} cases passed "
          f"in {outcome['seconds']} s; {args.out}")
    return 1 if outcome["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
