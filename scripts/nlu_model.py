"""Load the trained Rasa model once and parse texts with it (classify and the NLU evaluation)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bot"))


def load(model_path: str):
    logging.disable(logging.WARNING)
    import warnings

    import structlog

    # Rasa's structured log prints each parsed text at debug level on stdout: keep stdout for our
    # JSON output and keep message text out of logs.
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
    )

    warnings.filterwarnings("ignore")
    from rasa.core.agent import Agent

    os.chdir(ROOT / "bot")  # the spaCy model path in config.yml is relative to bot/
    return Agent.load(str(ROOT / model_path))


def parse_all(agent, texts: list[str]) -> list[dict]:
    async def run():
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(run())


def ranking_of(parsed: dict) -> list[tuple[str, float]]:
    """The intent ranking of one parsed message as (name, confidence) pairs, the form nlu.triage.decide reads."""
    return [(r["name"], r["confidence"]) for r in parsed.get("intent_ranking") or []]


def result_of(parsed: dict) -> dict:
    """label / confidence / cues (plus the rest of the ABCD result) for one parsed message."""
    abcd = parsed.get("abcd") or {}
    return {
        "label": abcd.get("label"),
        "confidence": abcd.get("confidence", 0.0),
        "cues": abcd.get("cues", []),
        "subkind": abcd.get("subkind"),
        "acute": abcd.get("acute", False),
        "colleague": abcd.get("colleague", False),
        "doubt": abcd.get("doubt"),
        "intent": (parsed.get("intent") or {}).get("name"),
    }
