"""Telegram bridge: `python -m channels.telegram` (configuration from the environment, see bridge.py)."""
