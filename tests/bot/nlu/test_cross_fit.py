"""scripts/cross_fit.py: each development case is scored by a model that never saw its fold. Needs Rasa (marker `rasa`)."""

import pytest

pytestmark = pytest.mark.rasa

cross_fit = pytest.importorskip("cross_fit")
import numpy as np  # noqa: E402
from rasa.shared.nlu.constants import INTENT, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from nlu import embeddings, ensemble  # noqa: E402

CASES = [{"text": f"verhaal  {i} over de raad", "source": f"https://nos.nl/artikel/{i}", "label": "B"} for i in range(40)]


def test_no_case_is_scored_by_a_model_that_was_trained_on_it_or_its_source(monkeypatch):
    examples = [Message(data={TEXT: " ".join(c["text"].split()), INTENT: "incident_b"}) for c in CASES]
    examples += [Message(data={TEXT: "hallo", INTENT: "greet"})]
    monkeypatch.setattr(cross_fit, "training_examples", lambda: examples)
    trained_on = []

    def fit(train, config):
        trained_on.append({m.get(TEXT) for m in train})
        return len(trained_on) - 1

    def rank(model, texts):
        # what the case's model saw: its own text must not be in it; "hallo" (not a dev case) always is
        seen = trained_on[model]
        assert "hallo" in seen
        return [({"incident_b": 0.0 if " ".join(t.split()) in seen else 1.0, "greet": 0.0}, None) for t in texts]

    monkeypatch.setattr(ensemble, "fit_model", fit)
    monkeypatch.setattr(ensemble, "rank", rank)
    monkeypatch.setattr(embeddings, "embed", lambda texts: np.zeros((len(texts), 384), np.float32))
    rankings, colleague = cross_fit.rankings(CASES, 5, log=lambda _: None)
    assert len(trained_on) == 5
    assert all(r[0] == ("incident_b", 1.0) for r in rankings)  # every case scored, none by a model that saw it
    assert colleague == [None] * len(CASES)
    # each fold's model saw every other fold: 40 cases over 5 folds, each text left out exactly once
    assert sum(len(seen) - 1 for seen in trained_on) == 4 * len(CASES)


def test_a_dev_case_missing_from_the_training_data_stops_the_tuner(monkeypatch):
    monkeypatch.setattr(cross_fit, "training_examples", lambda: [Message(data={TEXT: "hallo", INTENT: "greet"})])
    with pytest.raises(SystemExit, match="real_data.py"):
        cross_fit.rankings(CASES[:3], 5, log=lambda _: None)


def test_while_cross_fitting_each_text_is_embedded_once_and_after_it_as_before(monkeypatch):
    calls = []

    def embed(texts):
        calls.append(list(texts))
        return np.array([[float(len(t))] for t in texts])

    monkeypatch.setattr(embeddings, "embed", embed)
    with cross_fit.vectors_kept(["een", "twee"]):
        first = embeddings.embed(["twee", "drie", "een"])
        second = embeddings.embed(["drie", "twee"])
    assert calls == [["een", "twee"], ["drie"]]  # "drie" once, when first asked; the others up front
    assert first.tolist() == [[4.0], [4.0], [3.0]] and second.tolist() == [[4.0], [4.0]]
    assert embeddings.embed is embed  # restored
