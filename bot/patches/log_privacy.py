"""No user text in the Rasa server's logs (issue 12), applied by bot/connectors.py when Rasa loads the channels.

What Rasa 3.6 writes otherwise: `rest.message.received.failure text=<the message>` (structlog) when a message
fails, the whole text of "/"-prefixed messages in the RegexMessageHandler's warnings, and at DEBUG every user
message, parse result and slot value. Two guards:

1. structlog: Rasa passes every structured event through `_anonymizer`, which replaces the values of its
   "anonymizable" keys (text, user_text, slot_values, rasa_events, ...) through the plugin hook
   `get_anonymization_pipeline` (empty in Rasa Open Source). `apply()` gives that log processor (only it) a
   pipeline that replaces each such value by "[verborgen]".
2. stdlib logging: `NoUserText` (a logging.Filter, put on every handler by bot/logging.yml and by `apply()`
   on the root handlers) drops DEBUG records of Rasa's dialogue loggers and masks, in every other record,
   the text of the message being handled (`current_text`, set by bot/connectors.py per message) and any
   longer quoted string in records of rasa.core / rasa.shared / rasa.nlu. Exceptions keep their type and
   where they happened; their message is masked the same way.

When it can go: never entirely (the texts are ours to protect); the structlog plugin becomes unnecessary when
Rasa's default pipeline anonymizes (Rasa Pro). Check: tests/e2e/test_log_privacy.py greps every log under var/.
"""

from __future__ import annotations

import contextvars
import logging
import re

MASK = "[verborgen]"
current_text: contextvars.ContextVar[str | None] = contextvars.ContextVar("meldhulp_user_text", default=None)

# Rasa's loggers that handle dialogue content; their DEBUG records carry messages, slots and events.
_CONTENT_LOGGERS = ("rasa.core", "rasa.shared", "rasa.nlu", "rasa.engine", "rasa.graph_components", "nlu", "rasa_sdk")
_QUOTED = re.compile(r"'([^'\n]{3,})'" + r'|"([^"\n]{3,})"')
_NAME = re.compile(r"[\w.:/@-]+")  # action, intent and slot names, URLs: kept


def _mask_quoted(match: re.Match) -> str:
    content = match.group(1) if match.group(1) is not None else match.group(2)
    return match.group(0) if _NAME.fullmatch(content) else MASK


def mask(text: str, user_text: str | None) -> str:
    if user_text and len(user_text.strip()) >= 2:
        text = text.replace(user_text, MASK).replace(user_text.strip(), MASK)
    return text


class NoUserText(logging.Filter):
    """Drops DEBUG records of Rasa's dialogue code; masks the current message text and quoted strings."""

    def filter(self, record: logging.LogRecord) -> bool:
        content = record.name.startswith(_CONTENT_LOGGERS)
        if content and record.levelno < logging.INFO:
            return False
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: keep only the format
            message = str(record.msg)
        masked = mask(message, current_text.get())
        if content or record.name.startswith(("sanic", "socketio", "engineio", "connectors", "patches")):
            masked = _QUOTED.sub(_mask_quoted, masked)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            masked += f" ({type(error).__name__})"
            record.exc_info = None  # the traceback's last line repeats the exception's message
            record.exc_text = None
        record.msg, record.args = masked, ()
        return True


class _Anonymizer:
    """Rasa's anonymization pipeline interface: `log_run(value)` returns what is logged instead."""

    def log_run(self, value):
        return MASK if value not in (None, "", [], {}) else value


class _LogOnlyPluginManager:
    """What rasa.utils.log_utils sees as `plugin_manager()`: only the log anonymization hook answers.

    Rasa's processor asks the same hook for a pipeline to run over every new tracker event (and reads the
    tracker again for that); it keeps the real plugin manager, so nothing changes there.
    """

    class hook:  # noqa: N801 - mirrors pluggy's attribute name
        _pipeline = _Anonymizer()

        @classmethod
        def get_anonymization_pipeline(cls):
            return cls._pipeline


_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from rasa.utils import log_utils

    log_utils.plugin_manager = _LogOnlyPluginManager  # type: ignore[assignment]
    guard = NoUserText()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, NoUserText) for f in handler.filters):
            handler.addFilter(guard)
    _applied = True
