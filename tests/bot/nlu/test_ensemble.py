"""The second classifier and the averaged ranking (nlu/ensemble.py). Needs Rasa: `make unit` runs
these in the Rasa environment (marker `rasa`)."""

import pytest

pytestmark = pytest.mark.rasa

ensemble = pytest.importorskip("nlu.ensemble")
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

EXAMPLES = {
    "incident_d": ["ik maak je af", "hij dreigde mij te slaan", "ik weet waar je woont", "hij bedreigde mijn kinderen",
                   "ze zei dat ze mijn huis in brand steekt", "hij stond met een mes voor me"],
    "incident_b": ["het beleid van de gemeente deugt niet", "jullie besluit over de brug is slecht",
                   "de raad luistert nooit naar ons", "dit plan van het college is een schande",
                   "waarom verhogen jullie de belasting", "de gemeente doet niks aan de wegen"],
    "greet": ["hallo", "goedemorgen", "hoi", "dag", "hey daar", "goedemiddag"],
}


def component(tmp_path, **config):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("text_logreg")
    return ensemble.TextLogisticRegression.create(
        {**ensemble.TextLogisticRegression.get_default_config(), "min_df": 1, **config}, storage, resource, None
    ), storage, resource


def message(text, diet_ranking):
    msg = Message(data={TEXT: text})
    msg.set(INTENT_RANKING_KEY, diet_ranking)
    msg.set(INTENT, diet_ranking[0])
    return msg


def trained(tmp_path, **config):
    clf, storage, resource = component(tmp_path, **config)
    data = TrainingData([Message(data={TEXT: t, INTENT: intent}) for intent, texts in EXAMPLES.items() for t in texts])
    clf.train(data)
    return ensemble.TextLogisticRegression.load(clf._config, storage, resource, None)


def test_blend_weights_both_rankings_and_counts_a_missing_intent_as_zero():
    first = [{"name": "incident_b", "confidence": 0.8}, {"name": "incident_d", "confidence": 0.2}]
    second = {"incident_b": 0.2, "incident_d": 0.5, "greet": 0.3}
    ranking = ensemble.blend(first, second, 0.5)
    assert [r["name"] for r in ranking] == ["incident_b", "incident_d", "greet"]
    assert [round(r["confidence"], 3) for r in ranking] == [0.5, 0.35, 0.15]


def test_trained_model_survives_persist_and_load_and_moves_the_ranking(tmp_path):
    clf = trained(tmp_path)
    # DIET (here faked) is sure it is B; the text is a threat the second model knows.
    msg = message("hij dreigde dat hij mijn huis in brand steekt", [{"name": "incident_b", "confidence": 1.0}])
    clf.process([msg])
    ranking = msg.get(INTENT_RANKING_KEY)
    confidences = {r["name"]: r["confidence"] for r in ranking}
    assert confidences["incident_d"] > 0.2  # DIET gave it 0: all of it comes from the loaded second model
    assert confidences["incident_d"] > confidences["greet"]
    assert abs(sum(confidences.values()) - 1.0) < 1e-6
    assert msg.get(INTENT) == ranking[0]


def test_without_a_diet_ranking_the_second_model_decides_alone(tmp_path):
    clf = trained(tmp_path)
    msg = Message(data={TEXT: "hallo"})
    clf.process([msg])
    assert msg.get(INTENT)["name"] == "greet"
    assert abs(sum(r["confidence"] for r in msg.get(INTENT_RANKING_KEY)) - 1.0) < 1e-6


def test_a_model_file_with_unexpected_types_is_refused_loudly(tmp_path, monkeypatch):
    trained(tmp_path)
    import skops.io as sio

    monkeypatch.setattr(sio, "get_untrusted_types", lambda file: ["builtins.eval"])
    clf, storage, resource = component(tmp_path)
    with pytest.raises(ensemble.UntrustedModelFile):
        ensemble.TextLogisticRegression.load(clf._config, storage, resource, None)


def test_a_model_trained_on_other_e5_vectors_is_refused_loudly(tmp_path, monkeypatch):
    """The vectors depend on how many of e5's layers and tokens are read (nlu/embeddings.py): a model trained with
    other settings would misclassify without a sign, so loading it stops with what to do."""
    trained(tmp_path)
    from nlu import embeddings

    clf, storage, resource = component(tmp_path)
    monkeypatch.setattr(embeddings, "LAYERS", embeddings.LAYERS + 1)
    with pytest.raises(ValueError, match="train it again"):
        ensemble.TextLogisticRegression.load(clf._config, storage, resource, None)
    monkeypatch.setattr(embeddings, "LAYERS", embeddings.LAYERS - 1)
    assert ensemble.TextLogisticRegression.load(clf._config, storage, resource, None)._model["e5"] == embeddings.settings()


def test_weight_zero_keeps_diets_ranking(tmp_path):
    clf = trained(tmp_path, weight=0.0)
    assert clf._model is not None
    msg = message("hallo", [{"name": "incident_b", "confidence": 0.7}, {"name": "greet", "confidence": 0.3}])
    clf.process([msg])
    assert msg.get(INTENT)["name"] == "incident_b"
    assert round(msg.get(INTENT)["confidence"], 6) == 0.7


def test_empty_text_and_missing_model_leave_the_message_alone(tmp_path):
    clf = trained(tmp_path)
    diet = [{"name": "greet", "confidence": 0.9}]
    empty = message("   ", diet)
    clf.process([empty])
    assert empty.get(INTENT_RANKING_KEY) == diet

    untrained, storage, resource = component(tmp_path / "empty")
    loaded = ensemble.TextLogisticRegression.load(untrained._config, storage, resource, None)
    msg = message("ik maak je af", diet)
    loaded.process([msg])
    assert msg.get(INTENT_RANKING_KEY) == diet


def test_real_world_examples_weigh_real_weight_times_as_much(tmp_path):
    """Two examples of the same words with different intents: the one marked real-world wins when it weighs more."""
    def data():
        real = Message.build("hij stond bij mijn auto te wachten", "incident_a", None, {"real_world": True}, None)
        written = Message.build("hij stond bij mijn auto te wachten", "incident_d", None, None, None)
        rest = [Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts]
        return TrainingData([real, written, *rest])

    assert ensemble.is_real_world(data().intent_examples[0]) and not ensemble.is_real_world(data().intent_examples[1])
    top = {}
    for weight in (1.0, 5.0):
        (tmp_path / str(weight)).mkdir()
        comp, _, _ = component(tmp_path / str(weight), e5_scale=0.0, real_weight=weight)
        comp.train(data())
        msg = Message(data={TEXT: "hij stond bij mijn auto te wachten"})
        comp.process([msg])
        ranking = {r["name"]: r["confidence"] for r in msg.get(INTENT_RANKING_KEY)}
        top[weight] = ranking["incident_a"] - ranking["incident_d"]
    assert top[5.0] > top[1.0] and top[5.0] > 0


COLLEAGUE_STORIES = ["een collega-raadslid noemde mij in de raad een leugenaar", "de wethouder van mijn eigen partij schold mij uit",
                     "een raadslid van de oppositie zei in de commissie dat ik dom ben", "de voorzitter van de raad snauwde mij af"]
RESIDENT_STORIES = ["een inwoner noemde mij op de markt een leugenaar", "een man op straat schold mij uit",
                    "een buurman zei bij de supermarkt dat ik dom ben", "een bewoner snauwde mij af bij het spreekuur"]


def colleague_data(with_colleagues=True, written=()):
    """Real-world colleague and resident stories; `written`: examples written by us, marked colleague but
    not real-world (the colleague model must not learn from them)."""
    real = [Message.build(t, "incident_c", None, {"real_world": True, "colleague": with_colleagues}, None)
            for t in COLLEAGUE_STORIES]
    real += [Message.build(t, "incident_c", None, {"real_world": True}, None) for t in RESIDENT_STORIES]
    ours = [Message.build(t, "incident_c", None, {"colleague": True}, None) for t in written]
    rest = [Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts]
    return TrainingData([*real, *ours, *rest])


def test_the_colleague_model_learns_from_the_real_world_examples_and_survives_persist_and_load(tmp_path):
    comp, storage, resource = component(tmp_path, e5_scale=0.0)
    comp.train(colleague_data())
    loaded = ensemble.TextLogisticRegression.load(comp._config, storage, resource, None)
    colleague, resident = Message(data={TEXT: "een raadslid van de oppositie schold mij uit"}), Message(data={TEXT: "een man op de markt schold mij uit"})
    loaded.process([colleague, resident])
    assert colleague.get("colleague_probability") > 0.5 > resident.get("colleague_probability")
    # an output of the ABCD result, not of the message itself
    assert "colleague_probability" not in colleague.as_dict(only_output_properties=True)


def test_without_colleague_examples_there_is_no_colleague_probability_also_after_persist_and_load(tmp_path):
    comp, storage, resource = component(tmp_path, e5_scale=0.0)
    # examples written by us count for the intents, never for the colleague model
    comp.train(colleague_data(with_colleagues=False, written=COLLEAGUE_STORIES))
    loaded = ensemble.TextLogisticRegression.load(comp._config, storage, resource, None)
    msg = Message(data={TEXT: "een raadslid van de oppositie schold mij uit"})
    loaded.process([msg])
    assert loaded._model["colleague"] is None
    assert msg.get("colleague_probability") is None
    assert msg.get(INTENT)["name"] == "incident_c"


def test_a_model_from_before_the_colleague_model_still_classifies(tmp_path):
    comp, _, _ = component(tmp_path, e5_scale=0.0)
    comp.train(colleague_data())
    del comp._model["colleague"]  # as stored by a model trained before it existed
    msg = Message(data={TEXT: "een raadslid van de oppositie schold mij uit"})
    comp.process([msg])
    assert msg.get("colleague_probability") is None and msg.get(INTENT)["name"] == "incident_c"


def test_rasa_reads_the_colleague_metadata_of_the_generated_training_file():
    """scripts/real_data.py writes colleague stories in blocks with intent metadata `colleague: true`;
    Rasa's YAML reader must give that metadata to every example of the block."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    from nlu import colleague

    yaml_text = """version: "3.1"
nlu:
- intent: incident_c
  metadata:
    real_world: true
    colleague: true
  examples: |
    - een collega-raadslid noemde mij een leugenaar
    - de wethouder schold mij uit
- intent: incident_c
  metadata:
    real_world: true
  examples: |
    - een inwoner noemde mij een leugenaar
"""
    examples = RasaYAMLReader().reads(yaml_text).intent_examples
    assert [colleague.is_colleague_example(m) for m in examples] == [True, True, False]
    assert all(ensemble.is_real_world(m) for m in examples)

    # and the generated file itself: every colleague training (and development) case, and only those, in a colleague block
    import real_data

    generated = RasaYAMLReader().reads(real_data.render()).intent_examples
    expected = {real_data.one_line(c["text"]) for c in real_data.cases("train") + real_data.cases("dev") if c["colleague"]}
    assert {m.get(TEXT) for m in generated if colleague.is_colleague_example(m)} == expected
    assert len(expected) > 100


def test_fit_model_and_rank_give_what_the_component_writes(tmp_path):
    """scripts/cross_fit.py builds a dev case's ranking from fit_model and rank (train() calls fit_model too): rank,
    blended alone, gives what process() writes. It checks the path after the fit, not the fit itself."""
    clf = trained(tmp_path)
    msg = Message(data={TEXT: "hij dreigde mijn huis in brand te steken"})
    clf.process([msg])
    examples = [Message(data={TEXT: t, INTENT: intent}) for intent, texts in EXAMPLES.items() for t in texts]
    [(row, colleague_probability)] = ensemble.rank(ensemble.fit_model(examples, clf._config), [msg.get(TEXT)])
    ranking = ensemble.blend([], row, 1.0)
    assert [r["name"] for r in ranking] == [r["name"] for r in msg.get(INTENT_RANKING_KEY)]
    assert [r["confidence"] for r in ranking] == pytest.approx([r["confidence"] for r in msg.get(INTENT_RANKING_KEY)])
    assert colleague_probability is None  # no real-world examples: no colleague model


def test_the_vocabularies_are_stored_as_strings_and_come_back_as_they_were(tmp_path):
    clf, storage, resource = component(tmp_path)
    data = TrainingData([Message(data={TEXT: t, INTENT: intent}) for intent, texts in EXAMPLES.items() for t in texts])
    clf.train(data)
    before = [dict(v.vocabulary_) for _, v in clf._model["ngrams"].transformer_list]
    assert all(before)
    import skops.io as sio

    with storage.read_from(resource) as directory:
        stored = sio.load(directory / ensemble.FILE_NAME, trusted=sio.get_untrusted_types(file=directory / ensemble.FILE_NAME))
    assert [v.vocabulary_ for _, v in stored["ngrams"].transformer_list] == [None, None]  # not a dict in the file
    assert all(isinstance(joined, str) for joined in stored["vocabularies"])
    loaded = ensemble.TextLogisticRegression.load(clf._config, storage, resource, None)
    assert [v.vocabulary_ for _, v in loaded._model["ngrams"].transformer_list] == before
    assert [dict(v.vocabulary_) for _, v in clf._model["ngrams"].transformer_list] == before  # the model in memory kept them
    assert "vocabularies" not in loaded._model
    texts = ["hij dreigde dat hij mijn huis in brand steekt", "hallo"]
    assert ensemble.rank(loaded._model, texts) == ensemble.rank(clf._model, texts)


def test_the_colleague_model_with_the_embedding_is_scikit_learns_fit_on_the_joined_real_world_rows():
    """fit_model fits the colleague model with the embedding kept dense (nlu/colleague.py, nlu/lbfgs.py's binomial
    fit) on the real-world examples only; rank's P(colleague) is what scikit-learn's fit on those rows of the joined
    features gives, within the solver's tolerance."""
    import zlib

    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from nlu import colleague

    def embed(texts):  # a fixed vector per text, standing in for e5
        return np.array([np.random.default_rng(zlib.crc32(t.encode())).normal(size=8) for t in texts], dtype=np.float32)

    examples = colleague_data().intent_examples
    config = {**ensemble.TextLogisticRegression.get_default_config(), "min_df": 1, "e5_scale": 1.0}
    model = ensemble.fit_model(examples, config, embed=embed)
    real = [m for m in examples if ensemble.is_real_world(m)]
    texts = [m.get(TEXT) for m in real]
    joined = ensemble.features(model["ngrams"], texts, 1.0, embed)
    expected = LogisticRegression(C=config["colleague_C"], max_iter=colleague.MAX_ITER).fit(
        joined, [colleague.is_colleague_example(m) for m in real])
    ranked = [p for _, p in ensemble.rank(model, texts, embed)]
    assert model["colleague"].coef_.shape == (1, joined.shape[1])
    assert np.abs(np.array(ranked) - expected.predict_proba(joined)[:, 1]).max() < 1e-4
    assert min(ranked[: len(COLLEAGUE_STORIES)]) > 0.5 > max(ranked[len(COLLEAGUE_STORIES):])
