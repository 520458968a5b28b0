"""The action server's view of the settings (core.config): the database URL, the report key, the contacts file."""

from __future__ import annotations

from pathlib import Path

from core.config import REPO_ROOT, get_settings

PROTOCOLS_DIR = Path(__file__).resolve().parent / "protocols"


def database_url() -> str:
    """DATABASE_URL, or a SQLite file in var/ (created on first use)."""
    url = get_settings().database_url
    if url:
        # Accept the common postgres:// form and use the psycopg 3 driver we ship.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    var = REPO_ROOT / "var"
    var.mkdir(exist_ok=True)
    return f"sqlite:///{var / 'meldhulp.db'}"


def report_key() -> bytes:
    """The Fernet key that encrypts the free text of reports.

    REPORT_ENCRYPTION_KEY, or a file named by REPORT_ENCRYPTION_KEY_FILE (the local default).
    """
    settings = get_settings()
    key = settings.report_encryption_key
    key_file = settings.report_encryption_key_file
    if not key and key_file and Path(key_file).is_file():
        key = Path(key_file).read_text().strip()
    if not key:
        raise RuntimeError(
            "REPORT_ENCRYPTION_KEY (or REPORT_ENCRYPTION_KEY_FILE) is not set. 'make run' creates a local "
            "key in var/report.key; "
            "in production, set it from your secret store."
        )
    return key.encode()


def contacts_file() -> Path | None:
    """YAML with the local names, phone numbers and e-mail addresses a griffie fills in."""
    path = get_settings().contacts_file
    return Path(path) if path else None
