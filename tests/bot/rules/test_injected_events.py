"""The rules that read events no test story can hold: the aftercare worker writes its question into the conversation
(action_aftercare_offer, its message, action_listen; actions/aftercare.send_checkin), so no policy predicts that
action and `rasa test core` cannot replay it. Here the trained model (MELDHULP_MODEL, `make test-stories` passes
it) predicts the next action on a tracker with those events, as Rasa does when the next message comes in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.rasa
events = pytest.importorskip("rasa.shared.core.events")
trackers = pytest.importorskip("rasa.shared.core.trackers")

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def agent():
    model = os.environ.get("MELDHULP_MODEL", "models/meldhulp.tar.gz")
    assert (ROOT / model).exists(), f"{model} is missing: run make train"
    from nlu_model import load  # scripts/ is on pytest's path (pyproject.toml)

    cwd = os.getcwd()
    try:
        return load(model)
    finally:
        os.chdir(cwd)


def _user(text: str, intent: str) -> events.UserUttered:
    return events.UserUttered(text, intent={"name": intent, "confidence": 1.0})


def _next(agent, so_far: list) -> str:
    tracker = trackers.DialogueStateTracker.from_events("rules", so_far, slots=agent.domain.slots)
    prediction = agent.processor._predict_next_with_tracker(tracker)
    return agent.domain.action_names_or_texts[prediction.max_confidence_index]


FILED = [
    events.ActionExecuted("action_session_start"), events.SessionStarted(), events.ActionExecuted("action_listen"),
    _user("/affirm", "affirm"), events.ActionExecuted("action_submit_report"),
    events.SlotSet("report_status", "submitted"), events.SlotSet("report_reference", "MH-TEST"),
    events.ActionExecuted("action_listen"),
]
ASKED = [events.ActionExecuted("action_aftercare_offer"), events.BotUttered("Mag ik u later vragen hoe het met u gaat?"),
         events.ActionExecuted("action_listen")]


def test_a_message_not_understood_after_the_aftercare_question_asks_it_again_then_a_typed_yes_answers(agent):
    so_far = [*FILED, *ASKED, _user("🤷", "nlu_fallback")]
    assert _next(agent, so_far) == "action_not_understood"
    so_far.append(events.ActionExecuted("action_not_understood"))
    assert _next(agent, so_far) == "action_aftercare_offer"
    so_far += [events.ActionExecuted("action_aftercare_offer"), events.BotUttered("Mag ik ...?")]
    assert _next(agent, so_far) == "action_listen"
    so_far += [events.ActionExecuted("action_listen"), _user("ja", "affirm")]
    assert _next(agent, so_far) == "action_aftercare_consent"


@pytest.mark.parametrize("answer", ["affirm", "deny"])
def test_a_typed_answer_right_after_the_question_is_the_consent(agent, answer):
    assert _next(agent, [*FILED, *ASKED, _user("ja" if answer == "affirm" else "nee", answer)]) == "action_aftercare_consent"


def test_a_message_not_understood_after_filing_without_the_question_gets_the_plain_answer(agent):
    assert _next(agent, [*FILED, _user("🤷", "nlu_fallback")]) == "utter_default"
