"""Write the Dutch spaCy pipeline the Rasa config loads from models/spacy-nl.

Uses nl_core_news_md where it is installed. Otherwise (as on CI: that package is on no registry
reachable here) it builds a fallback from spaCy's own `nl` language data: tokenizer, stop words,
lexical attributes and a lookup lemmatizer from spacy-lookups-data. The fallback has no word
vectors, tagger or parser; the NLU pipeline therefore uses only its tokens and lemmas.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import spacy

TARGET = Path(sys.argv[1] if len(sys.argv) > 1 else "models/spacy-nl")


def build():
    try:
        return spacy.load("nl_core_news_md"), "nl_core_news_md"
    except OSError:
        nlp = spacy.blank("nl")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # loads the lookup tables from spacy-lookups-data
        return nlp, "fallback: spacy.blank('nl') + lookup lemmatizer (spacy-lookups-data)"


def main() -> None:
    nlp, kind = build()
    nlp.to_disk(TARGET)
    (TARGET / "SOURCE.json").write_text(json.dumps({"pipeline": kind, "spacy": spacy.__version__}))
    doc = nlp("Hij bedreigde mijn kinderen en riep dat hij wist waar wij wonen.")
    print(f"{TARGET}: {kind}; lemmas: {[t.lemma_ for t in doc][:8]}")


if __name__ == "__main__":
    main()
