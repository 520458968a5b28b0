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
"""

from __future__ import annotations

import functools
import sys
from typing import Any


def apply() -> None:
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.importers import importer

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


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "train", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
