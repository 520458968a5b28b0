"""The fixed answer when an action fails (patches/never_silent.py) and the log filter (patches/log_privacy.py).

The texts are checked against the protocol model: they name only 112 (the one line all five protocols name)
and the griffier (whom all protocols name for doubt). Runs in the Rasa environment (make unit).
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.rasa
never_silent = pytest.importorskip("patches.never_silent")
log_privacy = pytest.importorskip("patches.log_privacy")

MODEL = Path(__file__).resolve().parents[3] / "bot" / "actions" / "protocols" / "_model.yml"
MUNICIPALITIES = ("Nunspeet", "Nijmegen", "Leiden", "Midden-Delfland", "Alkmaar")


def test_the_fixed_answers_name_only_what_all_five_protocols_name():
    model = yaml.safe_load(MODEL.read_text(encoding="utf-8"))
    shared = [line for line in model["support_lines"] if all(m in line["section"] for m in MUNICIPALITIES)]
    assert [line["phone"] for line in shared] == ["112"]
    assert "Alle protocollen zeggen dat u bij twijfel altijd de griffier kunt bellen" in yaml.safe_dump(model, allow_unicode=True, width=1000)
    for text in (never_silent.FALLBACK, never_silent.ACUTE_FALLBACK):
        assert text.startswith("Bent u nu in gevaar? Bel dan direct 112")
        assert re.findall(r"\d[\d -]{2,}\d|\d{3}", text) == ["112"]
        assert "griffier" in text


def test_a_failing_action_gives_the_fixed_answer_once_per_turn(monkeypatch):
    asyncio.run(_failing_action(monkeypatch))


async def _failing_action(monkeypatch):
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, FollowupAction, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    async def down(self, *args):
        raise ConnectionError("action server down")

    monkeypatch.setattr(RemoteAction, "run", down)
    never_silent._applied = False
    never_silent.apply()
    action = RemoteAction("action_triage", EndpointConfig("http://127.0.0.1:9/webhook"))
    tracker = DialogueStateTracker.from_events("s", [UserUttered("hij staat voor de deur", {"name": "acute_danger"})])
    events = await action.run(None, None, tracker, Domain.empty())
    assert isinstance(events[0], BotUttered) and events[0].text == never_silent.ACUTE_FALLBACK
    assert isinstance(events[-1], FollowupAction)
    tracker.update_with_events(events, Domain.empty())
    again = await action.run(None, None, tracker, Domain.empty())
    assert not any(isinstance(e, BotUttered) for e in again)

    async def rejected(self, *args):
        raise ActionExecutionRejection("triage_form")

    never_silent._applied = False
    monkeypatch.setattr(RemoteAction, "run", rejected)
    never_silent.apply()
    with pytest.raises(ActionExecutionRejection):
        await action.run(None, None, tracker, Domain.empty())


def test_the_log_filter_masks_the_message_and_drops_debug():
    guard = log_privacy.NoUserText()
    token = log_privacy.current_text.set("mijn buurman sloeg mij")
    try:
        debug = logging.LogRecord("rasa.core.processor", logging.DEBUG, "x", 1, "Received 'mijn buurman'", (), None)
        assert guard.filter(debug) is False
        record = logging.LogRecord("rasa.core.channels.rest", logging.ERROR, "x", 1,
                                   "failed on %s in 'action_triage' with 'iets anders gezegd'", ("mijn buurman sloeg mij",),
                                   (ValueError, ValueError("mijn buurman sloeg mij"), None))
        assert guard.filter(record) is True
        text = record.getMessage()
        assert "buurman" not in text and "iets anders" not in text
        assert "'action_triage'" in text and "ValueError" in text and record.exc_info is None
    finally:
        log_privacy.current_text.reset(token)
