"""Issue 13: every bot text at B1, measured (scripts/readability.py), and the measure itself."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))

import readability  # noqa: E402


def test_every_bot_text_passes_and_the_collection_is_complete():
    texts = readability.all_texts()
    # The collection finds the domain responses, the report form's questions and the action texts.
    assert "meldhulp.yml:utter_greet" in texts
    assert any("Wanneer was het?" in t for t in texts.values())
    assert any("Ons advies nu" in t for t in texts.values())
    assert any("24 uur" in t for t in texts.values())
    # a text joined with the shared danger line is scored whole, with its words
    assert any(t.startswith("Door een storing kan ik het advies") and t.count("112") == 1 and "Meld het" in t
               for t in texts.values())
    _, failing = readability.check(texts)
    assert [(s.name, s.problems) for s in failing] == []


def test_the_measure_fails_long_texts_long_sentences_and_hard_words():
    long_text = " ".join(["Dit is een korte zin met zeven woorden."] * 9)
    assert any("woorden (max 60)" in p for p in readability.score("lang", long_text).problems)
    one_sentence = "Dit is een zin die veel te lang doorgaat omdat er steeds weer een stuk achteraan wordt geplakt zonder punt"
    assert any("per zin" in p for p in readability.score("zin", one_sentence).problems)
    hard = "Gemeentesecretarissen verantwoordelijkheidsbesef organisatieontwikkeling."
    assert any("Flesch-Douma" in p for p in readability.score("moeilijk", hard).problems)
    assert readability.score("kort", "Kies 'Ja' of 'Nee'.").problems == []


def test_dutch_syllables():
    assert [readability.syllables(w) for w in ("huis", "gemeente", "twee", "geïntimideerd", "rijden", "112")] == [1, 3, 1, 5, 2, 3]


def test_a_shared_sentence_by_name_is_read_as_its_words():
    import ast
    joined = ast.parse('"Het lukt nu niet. " + DANGER_LINE + f" Probeer {later}. {aftercare.DANGER} {DANGER}"').body[0].value
    line = readability.DANGER_LINE
    assert readability._static(joined) == f"Het lukt nu niet. {line} Probeer {readability.PLACEHOLDER}. {line} {line}"
