"""The settings: read once, each value parsed by its kind, a wrong value names the variable."""

import pytest

from core.config import Settings, SettingsError


def test_defaults_need_no_environment():
    assert Settings.from_env({}).web_port > 0


@pytest.mark.parametrize(
    "env, message",
    [
        ({"WEB_PORT": "70000"}, "WEB_PORT must be a port number"),
        ({"WEB_PORT": "²"}, "WEB_PORT must be a port number"),
        ({"ERASURE_REPORT_DAYS": "-3"}, "ERASURE_REPORT_DAYS must not be negative"),
        ({"ACTION_TIMEOUT": "lang"}, "ACTION_TIMEOUT must be a whole number"),
    ],
)
def test_a_wrong_value_names_its_variable(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_days_are_not_ports():
    assert Settings.from_env({"ERASURE_REPORT_DAYS": "70000"}).erasure_report_days == 70000
