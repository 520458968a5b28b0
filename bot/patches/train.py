"""`rasa train` with Rasa 3.6's NLU data loaded once: `python -m patches.train [rasa train's arguments]`, run from
bot/ (make train, scripts/time_training.py, deploy/rasa.Dockerfile). The same data and the same model.

One `rasa train` builds the NLU training data three times: its importers cache `get_nlu_data` per argument list,
and it is asked for without a language (model_training.train; ResponsesSyncImporter.get_domain), with "en" (what
the importers pass down by default) and with the config's "nl" (the graph's NLUTrainingDataProvider). Each build
parses every file, makes a Message of each of our 20,000 examples and merges the files (deep copies and a hash
of every message): about 15 s on the AMD machine of session 30 at a slow hour, so 30 s of a training are repeats
(`docs/experiments/rasa-start/nlu_builds.py`, session 30).

The language changes nothing in what is read: only Rasa's Dialogflow reader uses it, and our data is Rasa YAML
(bot/data/). So here the three importers that cache `get_nlu_data` answer every language from one cached build
(made with Rasa's default language), and every caller, whatever the language, gets that one object.

The bug: rasa/shared/importers/importer.py (`cached_method` keys on the arguments). When it can go: on a Rasa that
builds the NLU data once per training (compare `make time-training` with and without it).

Also: the training graph creates the spaCy pipeline twice (bot/config.yml's WrittenExamplesSpacyNLP, for the
provider and for the training run), each a `spacy.load` of models/spacy-nl (about 4 s). Here one `rasa train` loads
a spaCy model once and both share it (it only reads: tokens and lemmas of the written examples). When it can go:
on a Rasa whose training loads each spaCy model once.

And: before reading a YAML file Rasa checks it against its schema (`validate_yaml_schema`), on a second parse of the
file with ruamel's pure-Python round-trip loader, which keeps line numbers for the error message: about 6 s for the
4.5 MB of real-world examples on an idle machine, more than 30 times the parse Rasa then reads the data from. Here the
check first runs on the fast parse (ruamel's C loader, the same data; pykwalify and the same schema); only a file that
fails it gets Rasa's own check, whose error (with line numbers) is raised as before. It never rejects what Rasa's
accepts; it accepts a little more: a tab as a separator ("intent:\ta"), which libyaml reads and ruamel's round-trip
scanner refuses, and a boolean behind an anchor in the domain (a reviewer's 50 cases). The data read is the same
either way, and `make validate` runs Rasa's own check on every file. When it can go: on a Rasa whose schema check does
not parse a file a second time.

Not a Rasa bug: `main` first starts a second process that embeds the training examples' texts while Rasa starts, reads
the data and prepares the written examples on one core (nlu/embeddings.start_ahead; the same vectors).
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Any


def apply() -> None:
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.importers import importer
    from rasa.shared.utils import validation

    if not getattr(validation.validate_yaml_schema, "fast", False):
        validation.validate_yaml_schema = _fast_schema_check(validation.validate_yaml_schema)

    if not getattr(SpacyNLP.load_model, "once", False):
        load_model = SpacyNLP.load_model
        loaded = functools.lru_cache(maxsize=None)(load_model)

        def load_once(name: Any) -> Any:
            return loaded(name) if isinstance(name, str) else load_model(name)  # anything else: Rasa's own error

        load_once.once = True  # type: ignore[attr-defined]
        SpacyNLP.load_model = staticmethod(load_once)  # type: ignore[method-assign]

    for cls in (importer.CombinedDataImporter, importer.ResponsesSyncImporter, importer.E2EImporter):
        cached = cls.get_nlu_data
        if getattr(cached, "one_build", False):
            continue

        def get_nlu_data(self: Any, language: str | None = "en", _cached: Any = cached) -> Any:
            return _cached(self)  # the cache's key without a language: one build for every language

        get_nlu_data.one_build = True  # type: ignore[attr-defined]
        get_nlu_data.__doc__ = cached.__doc__
        cls.get_nlu_data = get_nlu_data  # type: ignore[method-assign]


def _fast_schema_check(rasa_check: Any) -> Any:
    """Rasa's `validate_yaml_schema(content, schema_path, package_name)`, checking the fast parse first."""
    import pkg_resources
    from pykwalify.core import Core
    from rasa.shared.constants import PACKAGE_NAME
    from rasa.shared.utils import io, validation

    def validate_yaml_schema(yaml_file_content: str, schema_path: str, package_name: str = PACKAGE_NAME) -> None:
        try:
            data = io.read_yaml(yaml_file_content)  # "safe": ruamel's C loader
            schema = io.read_yaml_file(pkg_resources.resource_filename(package_name, schema_path))
            schema = dict(schema, **io.read_yaml_file(pkg_resources.resource_filename(PACKAGE_NAME,
                                                                                      validation.RESPONSES_SCHEMA_FILE)))
            logging.getLogger("pykwalify").setLevel(logging.CRITICAL)  # as Rasa's check: its errors are ours
            extensions = [pkg_resources.resource_filename(PACKAGE_NAME, validation.SCHEMA_EXTENSIONS_FILE)]
            Core(source_data=data, schema_data=schema, extensions=extensions).validate(raise_exception=True)
        except Exception:  # any failure: Rasa's own check decides, and raises its own error
            rasa_check(yaml_file_content, schema_path, package_name)

    validate_yaml_schema.fast = True  # type: ignore[attr-defined]
    return functools.wraps(rasa_check)(validate_yaml_schema)


def example_texts(data: Path) -> list[str]:
    """The intent examples' texts in the NLU files under `data`, as Rasa reads them (its own leading symbol, strip and
    entity markup; the real-world stories first: the most and the longest). For the embedding ahead
    (nlu/embeddings.start_ahead): a text read differently here is embedded as before, never wrongly."""
    import yaml
    from rasa.shared.nlu.training_data import entities_parser
    from rasa.shared.nlu.training_data.formats.rasa_yaml import MULTILINE_TRAINING_EXAMPLE_LEADING_SYMBOL as DASH
    from rasa.shared.nlu.training_data.formats.rasa_yaml import STRIP_SYMBOLS

    texts: list[str] = []
    files = sorted(data.rglob("*.yml"), key=lambda path: (path.name != "incidents_real.yml", str(path)))
    for path in files:
        try:
            content = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        except (OSError, ValueError, yaml.YAMLError):  # ValueError: not UTF-8
            continue  # Rasa's own reading reports it
        items = content.get("nlu") if isinstance(content, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and "intent" in item and isinstance(item.get("examples"), str):
                texts += [entities_parser.replace_entities(line[1:].strip(STRIP_SYMBOLS))
                          for line in item["examples"].splitlines() if line.startswith(DASH)]
    return texts


def _data_folder(args: list[str]) -> Path:
    """rasa train's --data (its default: data)."""
    for i, arg in enumerate(args):
        if arg == "--data" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--data="):
            return Path(arg.split("=", 1)[1])
    return Path("data")


def main() -> None:
    args = sys.argv[1:]
    if not {"-h", "--help"} & set(args) and args[:1] != ["core"]:  # a training that embeds texts
        try:
            from nlu import embeddings

            embeddings.start_ahead(example_texts(_data_folder(args)))  # first: Rasa's imports take seconds
        except Exception:  # only the time it would save is lost; Rasa reads the data and reports what is wrong
            logging.getLogger(__name__).warning("the embedding ahead was not started", exc_info=True)
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "train", *args]
    rasa_main()


if __name__ == "__main__":
    main()
