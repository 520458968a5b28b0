"""Speed fixes to Rasa 3.6 itself (same results), applied when the Rasa server loads our NLU components (nlu.abcd).

Rasa 3.6 checks every action-server response with `jsonschema.validate(result, schema)`. That
function first re-validates the *schema* against its meta-schema, every call. Profiling a turn on
this 2-core machine showed 86% of the Rasa server's time in that check (a story turn runs five
actions). Here the same response check runs with a validator built once for the schema, so the
response is validated exactly as before, just without re-checking the unchanged schema.

Then the check itself (5 % of the server under `make load`): every event of a response is tried against all 23
event schemas of a `oneOf`, to find that exactly one fits. Each of those schemas fixes `event` to its own name
(`const`), so for an event named "slot" the other 22 cannot fit: the response is valid exactly when the
schema without the `oneOf` holds and the one schema with that name holds. `_quick_check` tests that; when it does
not hold (or the schema is not of that shape), the full validator runs and raises its usual error, so a valid
response is accepted and an invalid one refused with the same message as before.

Also applies patches.perf (less work per turn, same answers).

The bug: rasa/core/actions/action.py `RemoteAction._validate_action_result` calls `jsonschema.validate`
on every response (a performance bug, not a wrong answer; fixed in Rasa Pro, never in Rasa Open Source 3.6).
When it can go: when the installed Rasa's `_validate_action_result` no longer calls `validate(result,
schema)` (grep it in .venv-rasa), or on a Rasa without RemoteAction. Check with `make bench` (p95 of a turn)
before and after removing it.
"""

from __future__ import annotations

from functools import lru_cache

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of on every response
    return cls(schema)


@lru_cache(maxsize=1)
def _quick_validators():
    """(response schema without the events' oneOf, {event name: its schema}), or None when the shape differs."""
    import copy

    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    try:
        item = schema["properties"]["events"]["items"]
        branches = item.pop("oneOf")
        names = [branch["properties"]["event"]["const"] for branch in branches]
    except (KeyError, TypeError):
        return None
    if item.get("required") != ["event"] or len(set(names)) != len(names) or not all(isinstance(n, str) for n in names):
        return None
    cls = validator_for(schema)
    return cls(schema), {name: cls(branch) for name, branch in zip(names, branches, strict=True)}


def _quick_check(result) -> bool:
    """True only when the full schema holds (see the module's docstring); False means: ask the full validator."""
    quick = _quick_validators()
    if quick is None or not isinstance(result, dict):
        return False
    outer, by_name = quick
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or []:
        branch = by_name.get(event["event"])  # outer checked: an object with a string "event"
        if branch is None or not branch.is_valid(event):
            return False
    return True


def _validate_action_result(self, result: dict) -> bool:
    if _quick_check(result):
        return True
    try:
        error = best_match(_response_validator().iter_errors(result))  # as jsonschema.validate() picks its error
        if error is not None:
            raise error
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


def apply() -> None:
    from patches import perf

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    perf.apply()
