"""Readability of every bot text (issue 13): the responses in bot/domain/*.yml and the texts in the actions
(bot/actions/*.py: the strings and f-strings a user reads, the report form's questions), measured for Dutch at B1.

Per text: words (at most 60), the average sentence length in words (at most 15) and Flesch-Douma
(206.84 - 0.77 x syllables per 100 words - 0.93 x words per sentence; at least 60). Syllables are the vowel groups
of a word (Dutch: "ij", "oe", "ui" ... are one; a diaeresis starts a new one). A placeholder in an f-string ({contact})
counts as one short word. Failing texts are listed by name (a response name, or file:line); the command fails.

Exempt, and listed: a verbatim protocol quote (it may not be rewritten) and the summary template (the user's own
answers). Texts from the protocol files themselves are the protocols' words and are not checked here.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.texts import DANGER_LINE

ROOT = Path(__file__).resolve().parents[1]
MAX_WORDS, MAX_SENTENCE, MIN_FLESCH_DOUMA = 60, 15, 60.0

# Explicit exemptions, by name, with the reason (shown in the output).
EXEMPT = {
    "report_summary.py:summary": "the summary lists the user's own answers",
    "outbox.py:contact_message": "a notification to the contact person, not a message of the bot",
}

_VOWELS = "aeiouyáàâéèêíìîóòôúùû"
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9'’-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
PLACEHOLDER = "iets"
# Shared sentences the code joins into its texts by name: read as their words, so a text is scored whole.
NAMED_TEXTS = {"DANGER_LINE": DANGER_LINE, "DANGER": DANGER_LINE}  # DANGER: aftercare's and not_understood's alias


def _named(node: ast.AST) -> str | None:
    """The words of a shared sentence named by `node` (DANGER_LINE, aftercare.DANGER), or None."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    return NAMED_TEXTS.get(name) if name else None


def syllables(word: str) -> int:
    word = word.lower()
    if word.isdigit():
        return max(1, len(word))
    count, previous_vowel = 0, False
    for ch in word:
        if ch in "ëïöü":  # a diaeresis: always a new syllable
            count += 1
            previous_vowel = True
        elif ch in _VOWELS:
            if not previous_vowel:
                count += 1
            previous_vowel = True
        else:
            previous_vowel = False
    return max(1, count)


@dataclass
class Score:
    name: str
    words: int
    sentences: int
    per_sentence: float
    flesch_douma: float

    @property
    def problems(self) -> list[str]:
        found = []
        if self.words > MAX_WORDS:
            found.append(f"{self.words} woorden (max {MAX_WORDS})")
        if self.per_sentence > MAX_SENTENCE:
            found.append(f"{self.per_sentence:.1f} woorden per zin (max {MAX_SENTENCE})")
        if self.flesch_douma < MIN_FLESCH_DOUMA:
            found.append(f"Flesch-Douma {self.flesch_douma:.0f} (min {MIN_FLESCH_DOUMA:.0f})")
        return found


def score(name: str, text: str) -> Score:
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    words = _WORD.findall(text)
    n_words, n_sentences = len(words), max(1, len(sentences))
    per_sentence = n_words / n_sentences
    per_100 = 100 * sum(syllables(w) for w in words) / max(1, n_words)
    return Score(name, n_words, n_sentences, per_sentence, 206.84 - 0.77 * per_100 - 0.93 * per_sentence)


# --- collecting the texts ------------------------------------------------------------------------------------

def domain_texts(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(folder.glob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        for name, variants in responses.items():
            for i, variant in enumerate(variants or []):
                if isinstance(variant, dict) and variant.get("text"):
                    found[f"{path.name}:{name}" + (f"[{i}]" if i else "")] = variant["text"]
    return found


def _static(node: ast.AST) -> str | None:
    """The text of a str constant, a shared sentence by name (NAMED_TEXTS), an f-string (other placeholders as one short
    word) or a '+' of those."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if _named(node) is not None:
        return _named(node)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue):
                parts.append(_named(value.value) or PLACEHOLDER)
            else:
                parts.append(PLACEHOLDER)
        return "".join(str(p) for p in parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _static(node.left), _static(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _looks_user_facing(text: str) -> bool:
    """Dutch prose a user reads: starts with a capital, several words, ends like a sentence; not code or a log."""
    text = text.strip()
    if len(text.split()) < 3 or not text[:1].isupper() or "\\" in text or "(?" in text or "%s" in text:
        return False
    return bool(re.search(r"[.?!]\s*$|[.?!]\s", text)) and not re.search(r"\b(SELECT|INSERT|None|True|self)\b", text)


class _Collector(ast.NodeVisitor):
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: dict[str, str] = {}
        self.skip: set[int] = set()
        self.function = ""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._docstring(node)
        previous, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = previous

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._docstring(node)
        self.generic_visit(node)

    def visit_Module(self, node: ast.Module) -> None:
        self._docstring(node)
        self.generic_visit(node)

    def _docstring(self, node) -> None:
        if node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            self.skip.add(id(node.body[0].value))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
        if owner in ("log", "logging", "logger") or name in ("error", "warning", "info", "debug", "exception", "print") \
                or name.endswith("Error") or name in ("ValueError", "LookupError", "RuntimeError"):
            for sub in ast.walk(node):
                self.skip.add(id(sub))
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        for sub in ast.walk(node):
            self.skip.add(id(sub))
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        text = _static(node)
        if text is not None and id(node) not in self.skip:
            for sub in ast.walk(node):
                self.skip.add(id(sub))
            self._add(node, text)
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if id(node) not in self.skip:
            for sub in ast.walk(node):
                self.skip.add(id(sub))
            self._add(node, _static(node) or "")

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.skip:
            self._add(node, node.value)

    def _add(self, node: ast.AST, text: str) -> None:
        if _looks_user_facing(text):
            where = f"{self.file}:{self.function}" if f"{self.file}:{self.function}" in EXEMPT else f"{self.file}:{node.lineno}"
            self.found[where if where not in self.found else f"{where}.{node.col_offset}"] = text


def exempt(name: str) -> bool:
    """An exempt function's texts: "outbox.py:contact_message" and its further texts ("....22")."""
    return name in EXEMPT or name.rsplit(".", 1)[0] in EXEMPT


def action_texts(folder: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.py")):
        collector = _Collector(path.name)
        collector.visit(ast.parse(path.read_text(encoding="utf-8")))
        found.update(collector.found)
    return found


def all_texts(root: Path = ROOT) -> dict[str, str]:
    return {**domain_texts(root / "bot" / "domain"), **action_texts(root / "bot" / "actions")}


def check(texts: dict[str, str]) -> tuple[list[Score], list[Score]]:
    """(every score, the failing ones that are not exempt)."""
    scores = [score(name, text) for name, text in sorted(texts.items())]
    return scores, [s for s in scores if s.problems and not exempt(s.name)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "readability.json")
    parser.add_argument("--all", action="store_true", help="print every text's numbers, not only the failing ones")
    args = parser.parse_args(argv)
    scores, failing = check(all_texts())
    for s in scores if args.all else failing:
        print(f"{s.name:48} {s.words:3} woorden  {s.per_sentence:4.1f}/zin  FD {s.flesch_douma:5.1f}  {'; '.join(s.problems)}")
    for name, reason in EXEMPT.items():
        print(f"vrijgesteld: {name}: {reason}")
    total_words = sum(s.words for s in scores)
    mean_fd = sum(s.flesch_douma * s.words for s in scores) / max(1, total_words)
    summary = {"texts": len(scores), "failing": [s.name for s in failing], "max_words": max(s.words for s in scores),
               "mean_flesch_douma_weighted": round(mean_fd, 1), "exempt": EXEMPT}
    print(json.dumps({k: v for k, v in summary.items() if k != "exempt"}, ensure_ascii=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**summary, "scores": [s.__dict__ for s in scores]}, indent=2, ensure_ascii=False))
    if failing:
        print(f"readability: {len(failing)} of {len(scores)} texts fail (listed above)", file=sys.stderr)
        return 1
    print(f"readability: all {len(scores)} texts pass (<= {MAX_WORDS} words, <= {MAX_SENTENCE} words a sentence, "
          f"Flesch-Douma >= {MIN_FLESCH_DOUMA:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
