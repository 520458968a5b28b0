"""Protocol knowledge: the YAML files in protocols/, their shape, and loading them into the database.

Run `python -m actions.knowledge load` (from bot/) to (re)load every file in one transaction.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from actions import config

MODEL_KEY = "_model"
CATEGORIES = ["A", "B", "C", "D", "D_fysiek"]
REPORTING = {"optional", "on_repeat", "on_continue", "required"}


@dataclass(frozen=True)
class Role:
    key: str  # in the protocol files' routes and in the role slot
    label: str  # in sentences ("Als oud-raadslid meldt u dit bij ...")
    button: str  # on the role question's button
    words: tuple[str, ...]  # what people type for it
    tie: int  # two matching words of the same length: the lower tie wins


# Every role, once; in the order of the role question's buttons.
ROLE_TABLE: tuple[Role, ...] = (
    Role("raadslid", "raadslid", "Raadslid",
         ("gemeenteraadslid", "raadslid", "raadsleden", "lid van de raad", "lid van de gemeenteraad", "fractievoorzitter", "raad"), 8),
    Role("duolid", "duolid", "Duolid", ("duolid", "duo-lid", "duo lid", "duoraadslid", "duo-raadslid"), 4),
    Role("fractievolger", "fractievolger", "Fractievolger", ("fractievolger", "steunfractielid", "fractielid", "schaduwraadslid"), 3),
    Role("commissielid", "commissielid", "Commissielid",
         ("burgercommissielid", "burgerraadslid", "burgerlid", "commissielid", "commissievoorzitter", "commissie", "raadscommissie"), 5),
    Role("wethouder", "wethouder", "Wethouder",
         ("locoburgemeester", "loco-burgemeester", "wethouder", "collegelid", "lid van het college", "college"), 7),
    Role("burgemeester", "burgemeester", "Burgemeester", ("burgemeester", "burgervader"), 6),
    Role("fractiemedewerker", "fractiemedewerker", "Fractiemedewerker",
         ("fractiemedewerker", "fractieassistent", "fractieondersteuner", "fractiesecretaris", "fractiemedewerkster", "beleidsmedewerker fractie"), 2),
    Role("familielid", "familielid van een ambtsdrager", "Familielid van een ambtsdrager",
         ("familielid", "familie", "partner", "echtgenoot", "echtgenote", "mijn man", "mijn vrouw", "zoon", "dochter", "kind van", "vader van", "moeder van"), 1),
    Role("oud_raadslid", "oud-raadslid", "Oud-raadslid",
         ("oud-raadslid", "oud raadslid", "oudraadslid", "voormalig raadslid", "ex-raadslid", "oud-wethouder", "oud wethouder"), 0),
)
ROLES = [role.key for role in ROLE_TABLE]
ROLE_LABELS = {role.key: role.label for role in ROLE_TABLE}
_ROLE_WORDS = {role.key: role.words for role in ROLE_TABLE}
# Longest first, so "burgercommissielid" wins over "commissielid".
_ROLE_PAIRS = [(word, key) for word, _tie, key in sorted(
    ((word, role.tie, role.key) for role in ROLE_TABLE for word in role.words), key=lambda t: (-len(t[0]), t[1]))]


def role_buttons() -> list[dict]:
    return [{"title": role.button, "payload": f'/inform{{"role":"{role.key}"}}'} for role in ROLE_TABLE]


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
    # A relative or a former office holder names the role they relate to ("mijn man is
    # wethouder", "oud-raadslid"): those words decide before the role itself.
    for role in ("familielid", "oud_raadslid"):
        if any(re.search(rf"\b{re.escape(word)}\b", folded) for word in _ROLE_WORDS[role]):
            return role
    for word, role in _ROLE_PAIRS:
        if re.search(rf"\b{re.escape(word)}\b", folded):
            return role
    return None


def load_files(directory: Path | None = None) -> list[dict]:
    directory = directory or config.PROTOCOLS_DIR
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.yml")) if not p.name.startswith("contacts")]


@cache
def colleague_route(municipality_key: str | None) -> dict | None:
    """What the protocol says when the other person is a fellow office holder (the file's `colleague`:
    covered, text, section, quote); None for a municipality whose protocol file has none."""
    for data in load_files():
        if data.get("key") == municipality_key:
            return data.get("colleague")
    return None


@dataclass(frozen=True)
class Aftercare:
    """When Meldhulp checks in after a report (issue 14, actions/aftercare.py) and which support line it offers:
    the file's `aftercare:` section, its moments or (null) those of the general route, traceable to `section`."""

    days: tuple[float, ...]  # after filing, in order
    section: str
    support_line: dict | None  # one of the file's support_lines (name, what, phone, url, section)
    note: str | None = None


@cache
def aftercare(municipality_key: str | None) -> Aftercare:
    """The aftercare of a municipality's protocol file; the general route (MODEL_KEY) for one without a file."""
    files = {data.get("key"): data for data in load_files()}
    model = files[MODEL_KEY]
    data = files.get(municipality_key) or model
    own = data.get("aftercare") or model["aftercare"]
    moments = own.get("moments") or model["aftercare"]["moments"]
    lines = {line["key"]: line for line in data.get("support_lines") or []}
    line = lines.get(own.get("support_line")) or {line["key"]: line for line in model["support_lines"]}.get(
        model["aftercare"]["support_line"])
    section = own["section"] if own.get("moments") else f"{own['section']}; momenten: {model['aftercare']['section']}"
    return Aftercare(tuple(float(m["days"]) for m in moments), section, line, own.get("note"))


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


@dataclass(frozen=True)
class RouteRule:
    contact: str  # the function the user reports to
    informs: tuple[str, ...]
    section: str
    quote: str | None = None
    named: bool = True
    note: str | None = None


@dataclass(frozen=True)
class AdviceRule:
    approach: str
    steps: tuple[str, ...]
    reporting: str  # one of REPORTING
    section: str
    quote: str | None = None  # verbatim from the protocol (checked by the tests)


@dataclass(frozen=True)
class SupportLine:
    name: str
    section: str
    what: str | None = None
    phone: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Protocol:
    """What one municipality's protocol says (protocols/<key>.yml, as loaded into the database):
    who a role reports to, who is informed, the advice per category, the support lines; and the local
    contacts a griffie configured. The general route shared by all protocols has the key MODEL_KEY."""

    key: str
    name: str
    protocol: str | None
    register: str | None
    functions: dict[str, str]
    routes: dict[str, RouteRule]
    advice_rules: dict[str, AdviceRule]
    support_lines: tuple[SupportLine, ...]
    online: dict | None = None
    aangifte: dict | None = None
    aliases: tuple[str, ...] = ()

    @property
    def loaded(self) -> bool:
        """False for the general route (a municipality without its own protocol)."""
        return self.key != MODEL_KEY

    def route(self, role: str) -> RouteRule:
        return self.routes[role]

    def advice(self, category: str, subkind: str | None = None) -> AdviceRule:
        """The advice for a category; D with physical violence or vandalism has its own (D_fysiek)."""
        fysiek = category == "D" and subkind in ("fysiek_geweld", "vernieling")
        return self.advice_rules["D_fysiek" if fysiek else category]

    def label(self, function: str) -> str:
        return self.functions.get(function, function)

    def contact(self, function: str) -> dict:
        """The function, its label and the name/phone/e-mail a griffie configured (CONTACTS_FILE)."""
        return {"function": function, "label": self.label(function), **local_contact(self.key, function)}

    def handoff_config(self, function: str) -> dict:
        return handoff_config(self.key, function)


def load_into(session: Session, directory: Path | None = None) -> list[str]:
    """Replace the protocol tables with the YAML files; returns the municipality keys loaded."""
    from actions.store import protocols

    files = load_files(directory)
    errors = [p for data in files for p in problems(data)]
    if errors:
        raise ValueError("protocol files are not valid:\n" + "\n".join(errors))
    for data in files:
        protocols.replace_protocol(session, data)
    return [data["key"] for data in files]


def main(argv: list[str]) -> int:
    from actions.store import db

    if argv[:1] != ["load"]:
        print("usage: python -m actions.knowledge load", file=sys.stderr)
        return 2
    with db.transaction() as session:
        keys = load_into(session)
    print(f"protocollen geladen: {', '.join(keys)}", file=sys.stderr)  # stdout stays for JSON (make route)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
