"""The spelling normaliser: the text in the plain spelling the cue rules are written for.

Kept apart from the rules so that a new way of writing ("k@nker", "m’n") is added in one place for all of them.
"""

from __future__ import annotations

import re

# How people write when they type fast or quote abuse: masked profanity ("k*t", "k@nker", "kk"),
# stretched letters ("doooood"), leet ("h0er"). Cue rules read the text in its plain spelling.
_MASKED = [
    (re.compile(r"\bk[\*@#\.]+t\b", re.IGNORECASE), lambda m: "kut"),
    (re.compile(r"\bk[a\*@#\.]+nk[e3\*@#\.]+r", re.IGNORECASE), lambda m: "kanker"),
    (re.compile(r"\bkk\b", re.IGNORECASE), lambda m: "kanker"),
    (re.compile(r"\bt[y\*@#]f[u\*@#]s", re.IGNORECASE), lambda m: "tyfus"),
    (re.compile(r"\bh[0o\*@#][e3\*@#]r", re.IGNORECASE), lambda m: "hoer"),
    (re.compile(r"(\w)\1{2,}"), lambda m: m.group(1) * 2),  # "doooood" -> "dood"
    # chat spelling of the possessives: "voor mn huis", "zn auto"
    (re.compile(r"\b([mz])n\b", re.IGNORECASE), lambda m: m.group(1) + "'n"),
]


def plain(text: str) -> str:
    """The text in plain spelling for the cue rules (masked profanity, stretched letters, leet)."""
    text = text.replace("\u2019", "'")  # a phone's apostrophe: "m’n" is "m'n"
    for pattern, replace in _MASKED:
        text = pattern.sub(replace, text)
    return text
