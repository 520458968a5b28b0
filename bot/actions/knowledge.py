"""Protocol knowledge: the YAML files in protocols/, their shape, and loading them into the database.

Run `python -m actions.knowledge load` (from bot/) to (re)load every file in one transaction.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from actions import config

MODEL_KEY = "_model"
ROLES = [
    "raadslid",
    "duolid",
    "fractievolger",
    "commissielid",
    "fractiemedewerker",
    "wethouder",
    "burgemeester",
    "oud_raadslid",
    "familielid",
]
CATEGORIES = ["A", "B", "C", "D", "D_fysiek"]
REPORTING = {"optional", "on_repeat", "on_continue", "required"}

ROLE_LABELS = {
    "raadslid": "raadslid",
    "duolid": "duolid",
    "fractievolger": "fractievolger",
    "commissielid": "commissielid",
    "fractiemedewerker": "fractiemedewerker",
    "wethouder": "wethouder",
    "burgemeester": "burgemeester",
    "oud_raadslid": "oud-raadslid",
    "familielid": "familielid van een ambtsdrager",
}

# Words people use for their role, longest first so "burgercommissielid" wins over "commissielid".
_ROLE_WORDS = {
    "oud_raadslid": ["oud-raadslid", "oud raadslid", "oudraadslid", "voormalig raadslid", "ex-raadslid", "oud-wethouder", "oud wethouder"],
    "familielid": ["familielid", "familie", "partner", "echtgenoot", "echtgenote", "mijn man", "mijn vrouw", "zoon", "dochter", "kind van", "vader van", "moeder van"],
    "fractiemedewerker": ["fractiemedewerker", "fractieassistent", "fractieondersteuner", "fractiesecretaris", "fractiemedewerkster", "beleidsmedewerker fractie"],
    "fractievolger": ["fractievolger", "steunfractielid", "fractielid", "schaduwraadslid"],
    "duolid": ["duolid", "duo-lid", "duo lid", "duoraadslid", "duo-raadslid"],
    "commissielid": ["burgercommissielid", "burgerraadslid", "burgerlid", "commissielid", "commissievoorzitter", "commissie", "raadscommissie"],
    "burgemeester": ["burgemeester", "burgervader"],
    "wethouder": ["locoburgemeester", "loco-burgemeester", "wethouder", "collegelid", "lid van het college", "college"],
    "raadslid": ["gemeenteraadslid", "raadslid", "raadsleden", "lid van de raad", "lid van de gemeenteraad", "fractievoorzitter", "raad"],
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", text.lower()).strip()


def normalize_role(text: str | None) -> str | None:
    """The canonical role for what the user typed or clicked, or None."""
    if not text:
        return None
    folded = _fold(text).replace("_", " ")
    if folded.replace(" ", "_") in ROLES:
        return folded.replace(" ", "_")
    pairs = sorted(
        ((word, role) for role, words in _ROLE_WORDS.items() for word in words),
        key=lambda pair: -len(pair[0]),
    )
    # A relative or a former office holder names the role they relate to ("mijn man is
    # wethouder", "oud-raadslid"): those words decide before the role itself.
    for role in ("familielid", "oud_raadslid"):
        if any(re.search(rf"\b{re.escape(word)}\b", folded) for word in _ROLE_WORDS[role]):
            return role
    for word, role in pairs:
        if re.search(rf"\b{re.escape(word)}\b", folded):
            return role
    return None


def load_files(directory: Path | None = None) -> list[dict]:
    directory = directory or config.PROTOCOLS_DIR
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.yml")) if not p.name.startswith("contacts")]


def problems(data: dict) -> list[str]:
    """Shape errors in one protocol file (the quotes are checked against the source in the tests)."""
    found = []
    key = data.get("key", "?")
    for field in ("municipality", "key", "aliases", "source", "protocol", "functions", "routes", "support_lines", "advice"):
        if field not in data:
            found.append(f"{key}: missing {field}")
    functions = data.get("functions") or {}
    for role in ROLES:
        route = (data.get("routes") or {}).get(role)
        if not route:
            found.append(f"{key}: no route for {role}")
            continue
        for function in [route.get("contact"), *(route.get("informs") or [])]:
            if function not in functions:
                found.append(f"{key}.{role}: function {function!r} has no label")
        if not route.get("section"):
            found.append(f"{key}.{role}: no section")
        if route.get("named") is False and not route.get("note"):
            found.append(f"{key}.{role}: named is false but there is no note")
    for category in CATEGORIES:
        advice = (data.get("advice") or {}).get(category)
        if not advice:
            found.append(f"{key}: no advice for {category}")
            continue
        if advice.get("reporting") not in REPORTING:
            found.append(f"{key}.{category}: reporting {advice.get('reporting')!r}")
        if not advice.get("steps") or not advice.get("section"):
            found.append(f"{key}.{category}: no steps or section")
    for line in data.get("support_lines") or []:
        if not line.get("section") or not line.get("name"):
            found.append(f"{key}: support line without name or section")
    return found


@lru_cache(maxsize=8)
def _contacts(path: str | None) -> dict:
    if not path:
        return {}
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def local_contact(municipality_key: str, function: str) -> dict:
    """Name, phone and e-mail a griffie configured for a function (CONTACTS_FILE), else empty."""
    path = config.contacts_file()
    entry = (_contacts(str(path) if path else None).get(municipality_key) or {}).get(function) or {}
    return {field: entry.get(field) for field in ("name", "phone", "email")}


def handoff_config(municipality_key: str, function: str) -> dict:
    """How to reach a contact when a user asks for a person (CONTACTS_FILE): `notify` routes and the
    promised `response_time`. The function's own `notify` wins over the municipality's `handoff` entry."""
    path = config.contacts_file()
    entries = _contacts(str(path) if path else None).get(municipality_key) or {}
    general = entries.get("handoff") or {}
    own = (entries.get(function) or {}).get("notify")
    return {"notify": own or general.get("notify") or {}, "own": bool(own), "response_time": general.get("response_time")}


def load_into(session: Session, directory: Path | None = None) -> list[str]:
    """Replace the protocol tables with the YAML files; returns the municipality keys loaded."""
    from actions.store.repository import ProtocolRepository

    files = load_files(directory)
    errors = [p for data in files for p in problems(data)]
    if errors:
        raise ValueError("protocol files are not valid:\n" + "\n".join(errors))
    repo = ProtocolRepository(session)
    for data in files:
        repo.replace(data)
    return [data["key"] for data in files]


def main(argv: list[str]) -> int:
    from actions.store.db import engine

    if argv[:1] != ["load"]:
        print("usage: python -m actions.knowledge load", file=sys.stderr)
        return 2
    with Session(engine()) as session, session.begin():
        keys = load_into(session)
    print(f"protocollen geladen: {', '.join(keys)}", file=sys.stderr)  # stdout stays for JSON (make route)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
