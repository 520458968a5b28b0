"""The entity extractor (nlu/entities.py): Rasa's CRF without the real-world stories. Needs Rasa: `make unit` runs
these in the Rasa environment (marker `rasa`)."""

import pytest

pytestmark = pytest.mark.rasa

entities = pytest.importorskip("nlu.entities")
from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import LexicalSyntacticFeaturizer  # noqa: E402
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.nlu.constants import ENTITIES, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

WRITTEN = [("ik ben raadslid in Leiden", "raadslid", 7, 15), ("ik ben wethouder", "wethouder", 7, 16),
           ("als raadslid wil ik iets melden", "raadslid", 4, 12), ("ik ben burgemeester", "burgemeester", 7, 19),
           ("mijn rol is wethouder", "wethouder", 12, 21), ("ik zit als raadslid in de raad", "raadslid", 11, 19)]
STORIES = ["een raadslid schold mij uit op de markt", "de wethouder werd bedreigd bij zijn huis",
           "als raadslid kreeg ik een dreigbrief"]


def data():
    written = [Message(data={TEXT: t, "intent": "inform_role",
                             ENTITIES: [{"start": s, "end": e, "value": v, "entity": "role"}]}) for t, v, s, e in WRITTEN]
    real = [Message.build(t, "incident_c", None, {"real_world": True}, None) for t in STORIES]
    return TrainingData([*written, *real])


def featurizer(tmp_path):
    """Tokens and features, as the pipeline gives them before the CRF (which trains only on featurized examples)."""
    (tmp_path / "lex").mkdir()
    return LexicalSyntacticFeaturizer.create(LexicalSyntacticFeaturizer.get_default_config(),
                                             LocalModelStorage(tmp_path / "lex"), Resource("lex"),
                                             ExecutionContext(GraphSchema({}), node_name="lex"))


def featurized(training_data, tmp_path):
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(training_data)
    lex = featurizer(tmp_path)
    lex.train(training_data)
    lex.process_training_data(training_data)
    return training_data, lex


def test_the_real_world_stories_are_left_out_and_the_rest_kept_as_it_is():
    kept = entities.without_real_world(data())
    assert [m.get(TEXT) for m in kept.training_examples] == [t for t, *_ in WRITTEN]
    assert kept.entities == {"role"}


def test_the_written_examples_are_picked_once_per_training_data_and_again_when_it_grows():
    training_data = data()
    kept = entities.without_real_world(training_data)
    assert entities.without_real_world(training_data) is kept
    training_data.training_examples.append(Message(data={TEXT: "ik ben duolid", "intent": "inform_role"}))
    again = entities.without_real_world(training_data)
    assert again is not kept and [m.get(TEXT) for m in again.training_examples][-1] == "ik ben duolid"
    assert entities.without_real_world(data()) is not kept  # another object: its own


def test_it_trains_on_the_written_examples_only_and_still_finds_their_entities(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("crf")
    config = {**entities.WrittenExamplesCRF.get_default_config(), "features": [["low"], ["bias", "low", "suffix3"], ["low"]]}
    crf = entities.WrittenExamplesCRF.create(config, storage, resource, None)
    training_data, lex = featurized(data(), tmp_path)
    crf.train(training_data)
    loaded = entities.WrittenExamplesCRF.load(config, storage, resource, None)
    with storage.read_from(resource) as model_dir:
        stored = (model_dir / "crf_dataset.json").read_text(encoding="utf-8")
    assert "raadslid" in stored and "markt" not in stored and "dreigbrief" not in stored  # the stories are not kept
    message = Message(data={TEXT: "ik ben wethouder in Nijmegen"})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    lex.process([message])
    loaded.process([message])
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES, [])] == [("role", "wethouder")]


def test_spacy_tokens_and_patterns_are_made_for_the_written_examples_only_at_training_and_for_every_message_after(tmp_path):
    """The three components before the CRF skip the real-world stories at training (nothing reads what they would add
    there), and a user's message still gets all of it."""
    import spacy
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.nlu.utils.spacy_utils import SpacyModel

    model = SpacyModel(model=spacy.blank("nl"), model_name="blank")
    nlp = entities.WrittenExamplesSpacyNLP(model, {**entities.WrittenExamplesSpacyNLP.get_default_config(), "case_sensitive": False})
    tokenizer = entities.WrittenExamplesSpacyTokenizer(entities.WrittenExamplesSpacyTokenizer.get_default_config())
    (tmp_path / "regex").mkdir()
    regex = entities.WrittenExamplesRegexFeaturizer.create(
        {**entities.WrittenExamplesRegexFeaturizer.get_default_config(), "case_sensitive": False},
        LocalModelStorage(tmp_path / "regex"), Resource("regex"), ExecutionContext(GraphSchema({}), node_name="regex"))
    training_data = data()
    training_data.lookup_tables = [{"name": "role", "elements": ["raadslid", "wethouder"]}]
    regex.train(training_data)
    # by name, as Rasa's graph passes them
    assert nlp.process_training_data(training_data=training_data, model=model) is training_data
    assert tokenizer.process_training_data(training_data=training_data) is training_data
    assert regex.process_training_data(training_data=training_data) is training_data
    for message in training_data.training_examples:
        written = not entities.is_real_world(message)
        assert bool(message.get(TOKENS_NAMES[TEXT])) is written, message.get(TEXT)
        assert bool(message.features) is written, message.get(TEXT)
    story = Message(data={TEXT: STORIES[0]})
    nlp.process([story], model)
    tokenizer.process([story])
    regex.process([story])
    assert [t.text for t in story.get(TOKENS_NAMES[TEXT])][:2] == ["een", "raadslid"] and story.features
