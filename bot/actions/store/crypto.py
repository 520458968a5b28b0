"""Encryption at rest for the free text of reports (special personal data under the AVG)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet
from sqlalchemy.types import Text, TypeDecorator

from actions import config


@lru_cache(maxsize=4)
def _fernet(key: bytes) -> Fernet:
    return Fernet(key)


def fernet() -> Fernet:
    return _fernet(config.report_key())


class EncryptedText(TypeDecorator):
    """Text that is stored as a Fernet token and read back as plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return fernet().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return fernet().decrypt(value.encode("ascii")).decode("utf-8")
