"""The Rasa component that applies the ABCD decision (nlu/abcd.py). Needs Rasa (marker `rasa`)."""

import pytest

pytestmark = pytest.mark.rasa

abcd = pytest.importorskip("nlu.abcd")
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

STORY = "tijdens het debat noemde de fractievoorzitter van de VVD mij een zielige leugenaar"


def processed(probability):
    component = abcd.ABCDTriage({"colleague_threshold": 0.7})
    message = Message(data={TEXT: STORY})
    message.set(INTENT_RANKING_KEY, [{"name": "incident_c", "confidence": 0.9}, {"name": "incident_b", "confidence": 0.1}])
    message.set(INTENT, {"name": "incident_c", "confidence": 0.9})
    if probability is not None:
        message.set("colleague_probability", probability)
    component.process([message])
    return message.get("abcd")


def test_the_colleague_models_probability_reaches_the_decision():
    assert processed(0.9)["colleague"] is True
    assert processed(0.9)["colleague_by"] == "model"
    assert processed(0.5)["colleague"] is False
    assert processed(None)["colleague"] is False  # a model trained before the colleague model
