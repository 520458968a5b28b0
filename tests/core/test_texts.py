"""One wording for the danger line: every text the bot, the channels and Rasa's own fallbacks say about danger and
112 uses the same words (core.texts.DANGER_LINE), or, for acute danger, starts with them and adds what to do."""

import re
from pathlib import Path

from core.texts import DANGER_LINE

ROOT = Path(__file__).resolve().parents[2]
# Where user-facing texts are written: Python modules, the domain, the widget's own script.
SOURCES = [*ROOT.glob("bot/actions/**/*.py"), *ROOT.glob("bot/patches/*.py"), ROOT / "bot/connectors.py",
           *ROOT.glob("bot/domain/*.yml"), *ROOT.glob("channels/**/*.py"), ROOT / "channels/widget/static/meldhulp-widget.js"]
# "gevaar" and "112" near each other, in either order and any case (a Dutch text about danger and the alarm number)
NEAR = re.compile(r"gevaar.{0,80}?112|112.{0,80}?gevaar", re.IGNORECASE | re.DOTALL)
WORDINGS = (DANGER_LINE, "Bent u nu in gevaar? Bel dan direct 112 en zeg waar u bent.")  # the line; the acute start


def _joined(text: str) -> str:
    """The words of a stretch of source with the code between string pieces taken out: quotes, '+', the widget's
    `call: '` and line breaks, so a sentence split over pieces reads as one."""
    text = re.sub(r"['\"]\s*(?:\+\s*)?(?:,\s*call:\s*)?['\"]?|\s*\+\s*", " ", text)
    return re.sub(r"\s+", " ", text)


def test_the_danger_line_is_short_and_names_only_112():
    assert re.findall(r"\d+", DANGER_LINE) == ["112"] and len(DANGER_LINE.split()) <= 9


def test_every_text_about_danger_uses_the_one_wording():
    found = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for match in NEAR.finditer(text):
            around = _joined(text[max(0, match.start() - 40):match.end() + 60])
            found.append(path.name)
            assert any(w in around for w in WORDINGS), f"{path.relative_to(ROOT)}: {around!r} (use core.texts.DANGER_LINE)"
    assert {"meldhulp.yml", "texts.py", "never_silent.py", "meldhulp-widget.js"} <= set(found)  # it reads what it should


def test_the_scan_finds_other_wordings():
    for other in ("'In direct gevaar?',\n    call: 'Bel 112.',", '"In gevaar? Bel 112."', '"bij gevaar: bel 112"',
                  '"Bel 112 als u in gevaar bent."', '"Bent u in direct gevaar? "\n    "Bel 112."'):
        match = NEAR.search(other)
        assert match and not any(w in _joined(other) for w in WORDINGS), other
    assert any(w in _joined("danger: 'Bent u nu in gevaar?',\n    call: 'Bel dan direct 112.',") for w in WORDINGS)
