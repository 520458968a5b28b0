"""Griffie accounts: one YAML file (GRIFFIE_ACCOUNTS_FILE), never in the repository.

    accounts:
      griffie-leiden:
        municipality: leiden          # the key of the protocol file: this account sees only Leiden
        function: griffier            # the contact function (protocol file, `functions:`); default griffier
        display_name: Griffie Leiden  # shown to the user next to each answer
        password_hash: "scrypt$..."   # python -m channels.griffie.accounts hash
      beheer:
        role: beheerder               # functional administrator: the audit log only, never a report or handoff
        display_name: Functioneel beheer
        password_hash: "scrypt$..."

An account reads the reports whose `readable_by` is "<municipality>:<function>" (e.g. "leiden:griffier")
and the handoffs of its municipality. The functional administrator has no municipality and sees no content.

`python -m channels.griffie.accounts hash` asks for a password and prints the hash to put in the file.
"""

from __future__ import annotations

import base64
import functools
import getpass
import hashlib
import hmac
import logging
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.config import get_settings

_N, _R, _P = 2**14, 8, 1
log = logging.getLogger(__name__)


ADMIN_ROLE = "beheerder"


@dataclass(frozen=True)
class Account:
    username: str
    municipality: str  # "" for the functional administrator
    display_name: str
    function: str = "griffier"  # the contact function a report is routed to (ReportDraft.readable_by)
    admin: bool = False  # functional administrator: the audit log, no report content

    @property
    def reader(self) -> str | None:
        """The `readable_by` value of the reports this account may read ("leiden:griffier"); None for the admin."""
        return None if self.admin else f"{self.municipality}:{self.function}"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password nobody knows, made once per process (scrypt costs ~50 ms)."""
    return hash_password(secrets.token_urlsafe(24))


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        given = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=_N, r=_R, p=_P)
        return hmac.compare_digest(given, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


class Accounts:
    def __init__(self, path: str | None = None) -> None:
        path = path or get_settings().griffie_accounts_file or None
        if not path or not Path(path).is_file():
            log.warning("no griffie accounts (GRIFFIE_ACCOUNTS_FILE %s): nobody can log in to the griffie page",
                        "is not set" if not path else "does not exist")
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if path and Path(path).is_file() else {}
        self._entries = (data or {}).get("accounts") or {}

    def check(self, username: str, password: str) -> Account | None:
        entry = self._entries.get(username)
        stored = entry.get("password_hash", "") if entry else ""
        if not stored.startswith("scrypt$"):
            # An unknown name (or an entry without a usable hash) is checked against a dummy hash with the same
            # scrypt parameters, so the answer takes as long as for a real account and tells nothing.
            verify_password(password, _dummy_hash())
            return None
        if not verify_password(password, stored):
            return None
        return self.get(username)

    def get(self, username: str) -> Account | None:
        entry = self._entries.get(username)
        if not entry:
            return None
        if entry.get("role") == ADMIN_ROLE:
            return Account(username, "", entry.get("display_name") or "Functioneel beheer", function="", admin=True)
        if not entry.get("municipality"):
            return None
        return Account(username, str(entry["municipality"]), entry.get("display_name") or "De griffie",
                       function=str(entry.get("function") or "griffier"))

    def usernames(self) -> list[str]:
        return sorted(self._entries)


def main(argv: list[str]) -> int:
    if argv[:1] != ["hash"]:
        print("gebruik: python -m channels.griffie.accounts hash", file=sys.stderr)
        return 2
    password = getpass.getpass("Wachtwoord: ")
    if len(password) < 12:
        print("Kies een wachtwoord van minstens 12 tekens.", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
