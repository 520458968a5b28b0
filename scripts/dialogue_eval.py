"""The conversation suite of issue 13 (`make dialogue-eval`): scripted conversations (tests/dialogue/*.yml) held
with the real servers (Rasa with the trained model, the action server, a fresh database), over REST, as a user
would: the story first, then an answer to whatever the bot asks (read from the tracker: the open form and its
requested slot), until the report is filed.

Measured and printed, each with a floor (the command fails below it):
- turns from the first message to the filed report: the median over the conversations whose story holds the
  facts (all seven questions answered by it), and the median over all;
- questions asked whose answer was in the story (in_story), goal 0;
- invalid answers accepted (a bare "ja", an empty answer, a date in the future, ...), goal 0;
- free-text media understood (the report's medium is the expected one; no button was pressed), >= 95 %;
- wrong pre-fills, goal 0: a conversation's `expected:` names, per field, what the pre-filled answer must contain
  (case-insensitive; the medium: its key) or `null` (the story must not fill it); a field pre-filled with
  something else, or filled although it must not be, counts;
- every conversation ends in exactly one filed report;
- the report goes to the person's own route, goal 0 wrong: a role or municipality the bot took from the story is
  asked back ("Klopt het dat u raadslid bent in de gemeente Zwolle?"); the scripted user says "ja" when it is their
  own and "nee" (or the conversation's `route_no`, e.g. "klopt niet") when it is not (counted: asked back, corrected),
  the filed report's role and municipality must be theirs, and a conversation with `route_asked: true` must be asked.
  A conversation with `first_route` answers the routing questions with that route (a wrong tap), then at the summary
  chooses "Aanpassen" and types "rol en gemeente": the report form must ask role and municipality again, and the
  report must be filed with the user's own (counted: route changed at the summary).

No story text is printed: only conversation ids and field names.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import create_engine, text

import servers

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["what", "who", "when", "where", "medium", "with_what", "how", "why"]
ALL_FACTS = {"who", "when", "where", "medium", "with_what", "how", "why"}
MAX_TURNS = 40


@dataclass
class Result:
    id: str
    filed: bool = False
    turns: int = 0
    full_story: bool = False
    asked_in_story: list[str] = field(default_factory=list)
    invalid_tried: int = 0
    invalid_accepted: list[str] = field(default_factory=list)
    medium_ok: bool = False
    wrong_prefills: list[str] = field(default_factory=list)  # fields whose pre-filled value is not the expected one
    asked_for_report: bool = False  # the story was not recognised as an incident; the user asked to report
    route_asked_back: int = 0  # "Klopt het dat u ... bent in ...?": a role or municipality taken from the story
    route_corrected: int = 0  # ... and it was not the user's own
    wrong_route: bool = False  # the filed report's role or municipality is not the user's own
    route_not_asked: bool = False  # route_asked: true, and the story's role or place was not asked back
    paused: bool = False  # pause_at_route_check: paused at the question, resumed in a new session
    route_changed: bool = False  # first_route: the report form asked role and municipality again after "Aanpassen"
    stuck: str = ""


def load(paths: list[Path]) -> list[dict]:
    conversations = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        defaults = data.get("defaults") or {}
        for c in data["conversations"]:
            c = {**c, "answers": {**defaults.get("answers", {}), **(c.get("answers") or {})},
                 "triage": {**defaults.get("triage", {}), **(c.get("triage") or {})}}
            conversations.append(c)
    return conversations


def state(bot: servers.Servers, sender: str) -> dict:
    tracker = bot.tracker(sender)
    return {"loop": (tracker.get("active_loop") or {}).get("name"), "slots": tracker.get("slots") or {}}


def own_route(conversation: dict, slots: dict) -> bool:
    """The role and municipality in the slots are the user's own (those the script answers with)."""
    return (slots.get("role") == conversation["role"]
            and str(slots.get("municipality") or "").casefold() == conversation["municipality"].casefold())


def reply_for(conversation: dict, now: dict, route_changed: bool = True) -> tuple[str, str | None]:
    """(what the user says, the report field it answers or None). Before `route_changed`, a conversation with
    `first_route` answers the routing questions with that route and changes it at the summary."""
    loop, slots = now["loop"], now["slots"]
    wrong = conversation.get("first_route") if not route_changed else None
    requested = slots.get("requested_slot")
    if requested == "triage_check":  # the doubt question: in the triage, or in the report form after a story typed there
        return conversation["triage"]["check"], None
    if loop == "triage_form":
        return conversation["triage"]["persistent"], None
    if loop == "routing_form" and requested == "routing_check":  # asked back: a role or place from the story
        return ("ja" if own_route(conversation, slots) else conversation.get("route_no", "nee")), None
    if loop == "routing_form":
        route = wrong or conversation
        return (route["role"] if requested == "role" else route["municipality"]), None
    if loop == "report_form" and requested in ("role", "municipality"):  # the route changed at the summary
        return conversation[requested], None
    if loop == "change_form":
        return "rol en gemeente", None
    if slots.get("report_status") == "confirming" and wrong:
        return "/change", None  # the "Aanpassen" button
    if loop == "report_form" and requested == "report_wanted":
        return "/affirm", None  # the "Melden" button
    if loop == "report_form" and requested and requested.startswith("report_"):
        name = requested.removeprefix("report_")
        return conversation["answers"].get(name, "weet ik niet"), name
    if slots.get("report_status") == "confirming":
        return "ja", None
    if not slots.get("category") and not slots.get("report_wanted"):
        return "Ik wil dit melden", None  # the story was not taken for an incident: the user asks for a report
    return "", None


def run_one(bot: servers.Servers, conversation: dict) -> Result:
    result = Result(conversation["id"], full_story=set(conversation.get("in_story") or []) >= ALL_FACTS)
    sender = f"eval-{re.sub(r'[^a-z0-9_]', '_', conversation['id'].lower())}-{int(time.time() * 1000) % 100000}"
    in_story = set(conversation.get("in_story") or [])
    invalid = {k: list(v) for k, v in (conversation.get("invalid") or {}).items()}
    asked: set[str] = set()
    bot.say(sender, conversation["story"])
    result.turns = 1
    while result.turns < MAX_TURNS:
        now = state(bot, sender)
        if now["slots"].get("report_status") == "submitted":
            result.filed = True
            result.medium_ok = now["slots"].get("report_medium") == conversation["medium"]
            result.wrong_prefills = wrong_prefills(conversation, now["slots"])
            result.wrong_route = not own_route(conversation, now["slots"])
            break
        if now["slots"].get("requested_slot") == "routing_check" and conversation.get("pause_at_route_check") and not result.paused:
            # "later verder" at the question, then back in a new session with "Verder gaan": the route the question
            # was about must be asked again, not filed unconfirmed
            said = []
            for message in ("ik ga later verder", "/session_start", "/resume_report"):
                said += [m.get("text") or "" for m in bot.say(sender, message)]
                result.turns += 1
            after = state(bot, sender)["slots"]
            # kept ("24 uur"), picked up ("Fijn dat u terug bent") and, the route not kept, its question asked again
            result.paused = (any("24 uur" in m for m in said) and any("Fijn dat u terug bent" in m for m in said)
                             and after.get("requested_slot") in ("role", "municipality"))
            if not result.paused:
                result.stuck = f"pause at the route question not kept or not resumed: {said[-3:]}"
                break
            continue
        if now["loop"] == "report_form" and now["slots"].get("requested_slot") in ("role", "municipality"):
            result.route_changed = True
        message, name = reply_for(conversation, now, result.route_changed)
        if now["slots"].get("requested_slot") == "routing_check":
            result.route_asked_back += 1
            result.route_corrected += message != "ja"
        if message == "Ik wil dit melden":
            if result.asked_for_report:
                message = ""
            result.asked_for_report = True
        if not message and name is None:
            result.stuck = f"loop={now['loop']} requested={now['slots'].get('requested_slot')} status={now['slots'].get('report_status')}"
            break
        if name is not None and name not in asked:
            asked.add(name)
            if name in in_story:
                result.asked_in_story.append(name)
        if name is not None and invalid.get(name):
            message = invalid[name].pop(0)
            result.invalid_tried += 1
            bot.say(sender, message)
            result.turns += 1
            after = state(bot, sender)
            if after["slots"].get(f"report_{name}") is not None or after["slots"].get("requested_slot") != f"report_{name}":
                result.invalid_accepted.append(name)
            continue
        bot.say(sender, message)
        result.turns += 1
    result.route_not_asked = bool(conversation.get("route_asked")) and not result.route_asked_back
    result.route_not_asked |= bool(conversation.get("pause_at_route_check")) and not result.paused
    if conversation.get("first_route") and not result.route_changed and not result.stuck:
        result.stuck = "first_route: role and municipality were not asked again after 'Aanpassen'"
    if not result.filed and not result.stuck:
        result.stuck = f"no report after {MAX_TURNS} turns"
    return result


def wrong_prefills(conversation: dict, slots: dict) -> list[str]:
    """The fields of `expected:` the story filled wrongly: another value, or filled where it must stay empty."""
    prefilled = {s.removeprefix("report_") for s in slots.get("report_prefilled") or []}
    wrong = []
    for name, expected in (conversation.get("expected") or {}).items():
        value = slots.get(f"report_{name}") if name in prefilled else None
        if expected is None:
            ok = value is None
        elif name == "medium":
            ok = value == expected
        else:
            ok = value is not None and str(expected).lower() in str(value).lower()
        if not ok:
            wrong.append(name)
    return wrong


def reports_in(database_url: str, prefix: str = "eval-") -> dict[str, int]:
    with create_engine(database_url).connect() as db:
        rows = db.execute(text("SELECT conversation_id, count(*) FROM reports WHERE conversation_id LIKE :p GROUP BY conversation_id"),
                          {"p": prefix + "%"}).all()
    return {r[0]: r[1] for r in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", nargs="*", type=Path, default=sorted((ROOT / "tests" / "dialogue").glob("*.yml")))
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "dialogue-eval.json")
    parser.add_argument("--max-median-turns", type=float, default=6, help="floor: median turns when the story holds the facts")
    parser.add_argument("--max-asked-in-story", type=int, default=0)
    parser.add_argument("--max-invalid-accepted", type=int, default=0)
    parser.add_argument("--min-media", type=float, default=0.95)
    parser.add_argument("--max-wrong-prefills", type=int, default=0)
    parser.add_argument("--min-conversations", type=int, default=30)
    parser.add_argument("--max-wrong-route", type=int, default=0)
    args = parser.parse_args(argv)

    conversations = load(args.conversations)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="dialogue-eval-") as workdir, servers.running(Path(workdir)) as bot:
        for conversation in conversations:
            results.append(run_one(bot, conversation))
        stored = reports_in(bot.database_url)

    for r in results:
        print(f"{r.id:32} turns {r.turns:2}  filed {'ja ' if r.filed else 'NEE'}  medium {'ok ' if r.medium_ok else 'FOUT'}"
              f"  gevraagd-uit-verhaal {','.join(r.asked_in_story) or '-':20} ongeldig-geaccepteerd {','.join(r.invalid_accepted) or '-':10}"
              f"  fout-ingevuld {','.join(r.wrong_prefills) or '-'}  route-teruggevraagd {r.route_asked_back}"
              f"{' verbeterd' if r.route_corrected else ''}{' gepauzeerd' if r.paused else ''}{' route-aangepast' if r.route_changed else ''}{'  ROUTE FOUT' if r.wrong_route else ''}"
              + (f"  VAST: {r.stuck}" if r.stuck else ""))
    filed = [r for r in results if r.filed]
    full = [r.turns for r in filed if r.full_story]
    summary = {
        "conversations": len(results),
        "filed": len(filed),
        "one_report_each": all(n == 1 for n in stored.values()) and len(stored) == len(filed),
        "median_turns_story_holds_facts": statistics.median(full) if full else None,
        "conversations_story_holds_facts": len(full),
        "median_turns_all": statistics.median([r.turns for r in filed]) if filed else None,
        "asked_although_in_story": sum(len(r.asked_in_story) for r in results),
        "invalid_answers_tried": sum(r.invalid_tried for r in results),
        "invalid_answers_accepted": sum(len(r.invalid_accepted) for r in results),
        "media_understood": sum(r.medium_ok for r in results) / len(results) if results else 0.0,
        "prefills_checked": sum(len(c.get("expected") or {}) for c in conversations),
        "wrong_prefills": sum(len(r.wrong_prefills) for r in results),
        "stories_not_recognised": sum(r.asked_for_report for r in results),
        "route_asked_back": sum(r.route_asked_back for r in results),
        "route_corrected": sum(r.route_corrected for r in results),
        "route_changed_at_summary": sum(r.route_changed for r in results),
        "wrong_route": sum(r.wrong_route for r in filed),
        "route_not_asked_back": sum(r.route_not_asked for r in results),
        "paused_at_route_question": sum(r.paused for r in results),
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "conversations": [r.__dict__ for r in results]}, indent=2, ensure_ascii=False))

    failures = []
    if len(results) < args.min_conversations:
        failures.append(f"{len(results)} conversations, fewer than {args.min_conversations}")
    if len(filed) != len(results) or not summary["one_report_each"]:
        failures.append(f"{len(filed)} of {len(results)} conversations filed exactly one report")
    if summary["median_turns_story_holds_facts"] is None or summary["median_turns_story_holds_facts"] > args.max_median_turns:
        failures.append(f"median turns {summary['median_turns_story_holds_facts']} > {args.max_median_turns}")
    if summary["asked_although_in_story"] > args.max_asked_in_story:
        failures.append(f"{summary['asked_although_in_story']} questions asked whose answer was in the story")
    if summary["invalid_answers_accepted"] > args.max_invalid_accepted:
        failures.append(f"{summary['invalid_answers_accepted']} invalid answers accepted")
    if summary["media_understood"] < args.min_media:
        failures.append(f"free-text media understood {summary['media_understood']:.0%} < {args.min_media:.0%}")
    if summary["wrong_prefills"] > args.max_wrong_prefills:
        failures.append(f"{summary['wrong_prefills']} pre-filled answers wrong (expected:)")
    if summary["wrong_route"] > args.max_wrong_route:
        failures.append(f"{summary['wrong_route']} reports filed with a role or municipality that is not the user's own")
    if summary["route_not_asked_back"]:
        failures.append(f"{summary['route_not_asked_back']} stories naming the user's role or place were not asked back")
    for failure in failures:
        print(f"dialogue-eval: FAILED: {failure}", file=sys.stderr)
    if not failures:
        print("dialogue-eval: all floors met")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
