"""Fixtures the deploy tests share: docker-compose.yml as written (`raw`) and with its variables filled in from
deploy/.env.example's names (`compose`). Helpers: tests/deploy/_compose.py."""

from __future__ import annotations

import pytest
import yaml

from tests.deploy._compose import COMPOSE_FILE, dummy_env, interpolate


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose(raw) -> dict:
    return interpolate(raw, dummy_env())
