"""scripts/cross_fit.py: each development case is scored by a model that never saw its source. Needs Rasa (marker `rasa`)."""

import pytest

pytestmark = pytest.mark.rasa

pytest.importorskip("rasa")
import cross_fit  # noqa: E402
import numpy as np  # noqa: E402
from rasa.shared.nlu.constants import INTENT, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from real_sources import normalise  # noqa: E402

from nlu import ensemble  # noqa: E402

# 40 sources, three cases each, the same source spelled three ways (the fold goes by the normalised address)
SPELLINGS = ("https://www.nos.nl/artikel/{}", "http://nos.nl/artikel/{}#kop", "https://nos.nl/artikel/{}/")
CASES = [{"text": f"verhaal  {i}-{j} over de raad", "source": spelling.format(i), "label": "B"}
         for i in range(40) for j, spelling in enumerate(SPELLINGS)]
INTENTS = [f"intent_{n}" for n in range(12)]  # more than the ranking's 10


KEPT = object()  # the kept embeddings, as a token: every fit and every ranking must get them


def fake_setup(monkeypatch):
    examples = [Message(data={TEXT: " ".join(c["text"].split()), INTENT: "incident_b"}) for c in CASES]
    examples += [Message(data={TEXT: "hallo", INTENT: "greet"})]
    checked = []
    monkeypatch.setattr(cross_fit, "training_examples", lambda: examples)
    monkeypatch.setattr(cross_fit, "check_the_setup", lambda cases, examples: checked.append((cases, examples)))
    monkeypatch.setattr(cross_fit, "kept_embeddings", lambda texts: KEPT)
    return examples, checked


def test_no_case_is_scored_by_a_model_that_saw_any_case_of_its_source(monkeypatch):
    examples, checked = fake_setup(monkeypatch)
    source_of = {" ".join(c["text"].split()): normalise(c["source"]) for c in CASES}
    trained_on = []

    def fit(train, config, embed):
        assert embed is KEPT
        trained_on.append({m.get(TEXT) for m in train})
        return len(trained_on) - 1

    def rank(model, texts, embed):
        assert embed is KEPT
        seen_sources = {source_of[t] for t in trained_on[model] if t in source_of}
        assert "hallo" in trained_on[model]  # not a dev case: every fold's model learns it
        rows = []
        for text in texts:
            unseen = 1.0 if source_of[" ".join(text.split())] not in seen_sources else 0.0
            rows.append(({"incident_b": unseen, **{name: 0.001 * n for n, name in enumerate(INTENTS)}}, None))
        return rows

    monkeypatch.setattr(ensemble, "fit_model", fit)
    monkeypatch.setattr(ensemble, "rank", rank)
    rankings, colleague = cross_fit.rankings(CASES, 5, log=lambda _: None)
    assert checked == [(CASES, examples)]  # the setup is checked before anything is fitted
    assert len(trained_on) == 5
    assert all(r[0] == ("incident_b", 1.0) for r in rankings)  # every case scored, none by a model that saw its source
    assert all(len(r) == ensemble.RANKING_LENGTH for r in rankings)  # as the component writes it: the top 10
    assert colleague == [None] * len(CASES)
    # each fold's model saw every other fold: each case left out exactly once
    assert sum(len(seen) - 1 for seen in trained_on) == 4 * len(CASES)


def test_a_dev_case_missing_from_the_training_data_stops_the_tuner(monkeypatch):
    examples = [Message(data={TEXT: "hallo", INTENT: "greet"})]
    monkeypatch.setattr(cross_fit, "render", lambda: cross_fit.OUT.read_text(encoding="utf-8"))
    with pytest.raises(SystemExit, match="not in the training data"):
        cross_fit.check_the_setup(CASES[:3], examples)


def test_a_stale_training_file_stops_the_tuner(monkeypatch):
    monkeypatch.setattr(cross_fit, "render", lambda: "something else")
    with pytest.raises(SystemExit, match="out of date"):
        cross_fit.check_the_setup([], [])


def test_a_pipeline_without_the_classifier_stops_the_tuner(monkeypatch):
    monkeypatch.setattr(cross_fit, "render", lambda: cross_fit.OUT.read_text(encoding="utf-8"))
    monkeypatch.setattr(cross_fit, "pipeline", lambda: [{"name": "DIETClassifier"}])
    with pytest.raises(SystemExit, match="not in bot/config.yml"):
        cross_fit.check_the_setup([], [])


def test_another_intent_classifier_in_the_pipeline_stops_the_tuner(monkeypatch):
    monkeypatch.setattr(cross_fit, "render", lambda: cross_fit.OUT.read_text(encoding="utf-8"))
    monkeypatch.setattr(cross_fit, "pipeline", lambda: [{"name": "DIETClassifier"}, {"name": cross_fit.CLASSIFIER}])
    with pytest.raises(SystemExit, match="DIETClassifier"):
        cross_fit.check_the_setup([], [])


def test_kept_embeddings_compute_each_text_once_and_give_the_same_vectors():
    calls = []

    def embed(texts):
        calls.append(list(texts))
        return np.array([[float(len(t))] for t in texts])

    kept = cross_fit.kept_embeddings(["een", "twee"], embed)
    first = kept(["twee", "drie", "een"])
    second = kept(["drie", "twee"])
    assert calls == [["een", "twee"], ["drie"]]  # "drie" once, when first asked; the others up front
    assert first.tolist() == [[4.0], [4.0], [3.0]] and second.tolist() == [[4.0], [4.0]]


def test_cached_rankings_are_computed_once_and_then_read(monkeypatch, tmp_path):
    calls = []

    def rankings(cases, folds, log=print):
        calls.append(folds)
        return [[("incident_b", 0.9)]] * len(cases), [0.1] * len(cases)

    monkeypatch.setattr(cross_fit, "rankings", rankings)
    cache = tmp_path / "exp" / "oof.pkl"
    first = cross_fit.cached_rankings(CASES, 5, cache)
    second = cross_fit.cached_rankings(CASES, 5, cache)
    assert first == second == ([[("incident_b", 0.9)]] * len(CASES), [0.1] * len(CASES))
    assert calls == [5] and cache.exists()


def test_given_settings_examples_and_embeddings_are_used_as_given(monkeypatch):
    """docs/experiments/hyper/sweep.py cross-fits several settings on one set of examples and embeddings."""
    examples, checked = fake_setup(monkeypatch)
    monkeypatch.setattr(cross_fit, "training_examples", lambda: pytest.fail("the examples were given"))
    monkeypatch.setattr(cross_fit, "kept_embeddings", lambda texts: pytest.fail("the embeddings were given"))
    given = object()
    configs = []

    def fit(train, config, embed):
        assert embed is given
        configs.append(config)
        return 0

    def rank(model, texts, embed):
        assert embed is given
        return [({"incident_b": 1.0}, None) for _ in texts]

    monkeypatch.setattr(ensemble, "fit_model", fit)
    monkeypatch.setattr(ensemble, "rank", rank)
    cross_fit.rankings(CASES, 5, log=lambda _: None, settings={"C": 5.0}, examples=examples, embed=given)
    shipped = cross_fit.component_config(cross_fit.CLASSIFIER)
    assert shipped["C"] != 5.0
    assert configs == [{**shipped, "C": 5.0}] * 5  # bot/config.yml's settings, with the given one changed
    assert checked == [(CASES, examples)]
