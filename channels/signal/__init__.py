"""The Signal bridge: signal-cli-rest-api (json-rpc mode) on one side, Rasa's REST channel on the other.

Run it with `python -m channels.signal`; configuration and behaviour are described in `bridge.py`.
"""

from channels.signal.bridge import Config, ConfigError, SignalBridge

__all__ = ["Config", "ConfigError", "SignalBridge"]
