"""One fix to Rasa 3.6 itself, applied when the Rasa server loads our NLU components (nlu.abcd).

Rasa 3.6 checks every action-server response with `jsonschema.validate(result, schema)`. That
function first re-validates the *schema* against its meta-schema, every call. Profiling a turn on
this 2-core machine showed 86% of the Rasa server's time in that check (a story turn runs five
actions). Here the same response check runs with a validator built once for the schema, so the
response is validated exactly as before, just without re-checking the unchanged schema.

The bug: rasa/core/actions/action.py `RemoteAction._validate_action_result` calls `jsonschema.validate`
on every response (a performance bug, not a wrong answer; fixed in Rasa Pro, never in Rasa Open Source 3.6).
When it can go: when the installed Rasa's `_validate_action_result` no longer calls `validate(result,
schema)` (grep it in .venv-rasa), or on a Rasa without RemoteAction. Check with `make bench` (p95 of a turn)
before and after removing it.
"""

from __future__ import annotations

from functools import lru_cache

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of on every response
    return cls(schema)


def _validate_action_result(self, result: dict) -> bool:
    try:
        _response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
