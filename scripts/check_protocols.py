"""Check the protocol YAML files against their source protocols.

Every `quote` must occur in the source text, and every phone number must be printed there.
Usage: python scripts/check_protocols.py [file.yml ...]   (default: all files)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from core.config import get_settings

ROOT = Path(__file__).resolve().parents[1]
PROTOCOLS = ROOT / "bot" / "actions" / "protocols"
SEEDS = Path(get_settings().seeds_dir)


def normalize(text: str) -> str:
    """Fold the PDF extraction's line breaks, hyphenation and quotes so a quote can be found."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"-\s*\n\s*", "", text)  # "gemeente-\nsecretaris" -> "gemeentesecretaris"
    text = re.sub(r"\s+", " ", text)
    return text.strip().lower()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def problems(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not data.get("source"):
        return []
    source_text = (SEEDS / data["source"]).read_text(encoding="utf-8")
    source = normalize(source_text)
    source_digits = digits(source_text)
    found: list[str] = []

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "quote" and value and normalize(value) not in source:
                    found.append(f"{where}.quote not in source: {value!r}")
                elif key == "phone" and value and digits(value) not in source_digits:
                    found.append(f"{where}.phone not in source: {value!r}")
                else:
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(data, path.stem)
    return found


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(PROTOCOLS.glob("*.yml"))
    bad = [p for path in paths for p in problems(path)]
    for line in bad:
        print(line)
    print(f"{len(paths)} files checked, {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
