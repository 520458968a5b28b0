"""One wording for the danger line: every text the bot, the channels and Rasa's own fallbacks say about danger and
112 uses the same words (core.texts.DANGER_LINE), or, for acute danger, starts with them and adds what to do."""

import re
from pathlib import Path

from core.texts import DANGER_LINE

ROOT = Path(__file__).resolve().parents[2]
# Where user-facing texts are written: Python modules, the domain, the widget's own script.
SOURCES = [*ROOT.glob("bot/actions/**/*.py"), *ROOT.glob("bot/patches/*.py"), ROOT / "bot/connectors.py",
           *ROOT.glob("bot/domain/*.yml"), *ROOT.glob("channels/**/*.py"), ROOT / "channels/widget/static/meldhulp-widget.js"]
# "<question> gevaar? <call>" in any wording (the widget splits it in two strings), and "Bel 112 bij gevaar"
DANGER_WORDS = re.compile(r"(\S+ \S+ \S+ \S+ gevaar\?)['\",\s+]*(?:call: ')?(Bel[^.]*\.)|Bel 112 bij gevaar")
CALLS = ("Bel dan direct 112.", "Bel dan direct 112 en zeg waar u bent.")  # the line; the acute message's start


def test_the_danger_line_is_short_and_names_only_112():
    assert re.findall(r"\d+", DANGER_LINE) == ["112"] and len(DANGER_LINE.split()) <= 9


def test_every_text_about_danger_uses_the_one_wording():
    found = []
    for path in SOURCES:
        for match in DANGER_WORDS.finditer(path.read_text(encoding="utf-8")):
            found.append(path.name)
            assert match[1] and match[1].endswith("Bent u nu in gevaar?") and match[2] in CALLS, (
                f"{path.relative_to(ROOT)}: {match[0]!r} (use core.texts.DANGER_LINE)")
    assert {"meldhulp.yml", "texts.py", "never_silent.py", "meldhulp-widget.js"} <= set(found)  # it reads what it should
