"""The protocol files: complete, and every quote and phone number traceable to the source protocol."""

import re
from pathlib import Path

import check_protocols
import pytest

from actions import knowledge
from core.config import get_settings

ROOT = Path(__file__).resolve().parents[3]
SEEDS = Path(get_settings().seeds_dir)
FILES = knowledge.load_files()


def test_all_five_protocols_and_the_model_route_are_there():
    assert sorted(d["key"] for d in FILES) == ["_model", "alkmaar", "leiden", "midden-delfland", "nijmegen", "nunspeet"]


@pytest.mark.parametrize("data", FILES, ids=lambda d: d["key"])
def test_shape(data):
    assert knowledge.problems(data) == []


@pytest.mark.parametrize("path", sorted(check_protocols.PROTOCOLS.glob("*.yml")), ids=lambda p: p.stem)
def test_quotes_and_phone_numbers_occur_in_the_source(path):
    if not SEEDS.is_dir():
        pytest.fail(f"the protocols are expected in {SEEDS} (set SEEDS_DIR)")
    assert check_protocols.problems(path) == []


def test_model_phone_numbers_are_printed_in_some_protocol():
    model = next(d for d in FILES if d["key"] == "_model")
    all_digits = "".join(re.sub(r"\D", "", p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt"))
    for line in model["support_lines"]:
        if line.get("phone"):
            assert re.sub(r"\D", "", line["phone"]) in all_digits, line


@pytest.mark.parametrize(
    "typed, role",
    [
        ("Raadslid", "raadslid"),
        ("ik ben gemeenteraadslid", "raadslid"),
        ("burgercommissielid", "commissielid"),
        ("fractievolger", "fractievolger"),
        ("duo-lid", "duolid"),
        ("loco-burgemeester", "wethouder"),
        ("oud-raadslid", "oud_raadslid"),
        ("mijn man is wethouder", "familielid"),
        ("fractieassistent", "fractiemedewerker"),
        ("oud_raadslid", "oud_raadslid"),
        ("bakker", None),
        ("", None),
    ],
)
def test_normalize_role(typed, role):
    assert knowledge.normalize_role(typed) == role


def test_loading_twice_replaces_instead_of_duplicating(session):
    from sqlalchemy import func, select

    from actions.store.models import Route

    before = session.scalar(select(func.count()).select_from(Route))
    knowledge.load_into(session)
    assert session.scalar(select(func.count()).select_from(Route)) == before


def test_local_contacts_come_from_the_contacts_file(tmp_path, monkeypatch):
    contacts = tmp_path / "contacts.yml"
    contacts.write_text("leiden:\n  griffier:\n    name: Griffie Leiden\n    phone: '071-0000000'\n")
    monkeypatch.setenv("CONTACTS_FILE", str(contacts))
    assert knowledge.local_contact("leiden", "griffier") == {"name": "Griffie Leiden", "phone": "071-0000000", "email": None}
    assert knowledge.local_contact("alkmaar", "griffier") == {"name": None, "phone": None, "email": None}
