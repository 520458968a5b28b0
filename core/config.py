"""Every environment variable Meldhulp reads, in one place, read once (`get_settings()`).

Standard library only: this module is imported by the action server and the channels (.venv-actions) and by
bot/connectors.py inside the Rasa server (.venv-rasa, with an old pydantic), so it cannot use pydantic-settings.
The defaults are those of the local setup (`make run`, `make demo`): SQLite in var/, Rasa on localhost:5005, no
mail, no bridges. `python -m core.config` prints the settings in use, with secrets hidden.

A secret that a service cannot start without is asked for with `settings.require(NAME)`; when it is missing the
service stops with a `SettingsError` that names the variable.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


class SettingsError(ValueError):
    """The environment does not describe a service that can run; the text names the variable to set."""


def _setting(env: str, doc: str, *, secret: bool = False, services: str = "") -> dict:
    return {"env": env, "doc": doc, "secret": secret, "services": services}


@dataclass(frozen=True)
class Settings:
    """One attribute per environment variable (metadata: its name, what it is for, whether it is a secret)."""

    # --- the action server (bot/actions) ------------------------------------------------------------------------
    database_url: str = field(default="", metadata=_setting(
        "DATABASE_URL", "reports, handoffs and evidence; empty: SQLite in var/meldhulp.db", secret=True,
        services="actions, web, telegram, signal"))
    report_encryption_key: str = field(default="", metadata=_setting(
        "REPORT_ENCRYPTION_KEY", "Fernet key for the free text of reports and evidence (or the file below)",
        secret=True, services="actions, web, telegram, signal"))
    report_encryption_key_file: str = field(default="", metadata=_setting(
        "REPORT_ENCRYPTION_KEY_FILE", "file holding that key; `make run` creates var/report.key", services="actions"))
    contacts_file: str = field(default="", metadata=_setting(
        "CONTACTS_FILE", "YAML with a griffie's names, numbers and notification addresses", services="actions"))
    griffie_url: str = field(default="http://localhost:8080", metadata=_setting(
        "GRIFFIE_URL", "public address of the griffie page (links in notifications; https:// makes its cookie Secure)",
        services="actions, web"))
    smtp_host: str = field(default="", metadata=_setting("SMTP_HOST", "mail server for handoff e-mails; empty: no e-mail",
                                                         services="actions"))
    smtp_port: int = field(default=25, metadata=_setting("SMTP_PORT", "its port", services="actions"))
    smtp_from: str = field(default="meldhulp@localhost", metadata=_setting("SMTP_FROM", "sender address",
                                                                           services="actions"))
    smtp_starttls: bool = field(default=False, metadata=_setting("SMTP_STARTTLS", "1/true/yes: STARTTLS",
                                                                 services="actions"))
    smtp_user: str = field(default="", metadata=_setting("SMTP_USER", "login; empty: none", services="actions"))
    smtp_password: str = field(default="", metadata=_setting("SMTP_PASSWORD", "password for SMTP_USER", secret=True,
                                                             services="actions"))
    webhook_secret: str = field(default="", metadata=_setting(
        "WEBHOOK_SECRET", "signs handoff webhooks (X-Meldhulp-Signature); empty: unsigned", secret=True,
        services="actions"))

    action_server_token: str = field(default="", metadata=_setting(
        "ACTION_SERVER_TOKEN", "shared token between the Rasa server and the action server (header X-Action-Token; "
        "bot/endpoints.yml sends it, patches.action_server checks it); empty: the action server refuses to start",
        secret=True, services="rasa, actions"))
    action_server_host: str = field(default="127.0.0.1", metadata=_setting(
        "ACTION_SERVER_HOST", "address the action server listens on (compose: 0.0.0.0 on the internal network only)",
        services="actions"))
    action_timeout: int = field(default=30, metadata=_setting(
        "ACTION_TIMEOUT", "seconds Rasa waits for one custom action before it answers with the fixed "
        "fallback text (patches.never_silent)", services="rasa"))

    # --- a filed report (issue 11): who filed it, notifications, retention, erasure ----------------------------------
    identity_secret: str = field(default="", metadata=_setting(
        "IDENTITY_SECRET", "HMAC key for the messenger identity kept with a report (a keyed hash of channel and sender "
        "id, never the id itself; asking for the status or withdrawing works only from that identity); empty: derived "
        "from the report encryption key", secret=True, services="actions"))
    report_retention: str = field(default="afgesloten=1825,ingetrokken=1825", metadata=_setting(
        "REPORT_RETENTION", "days a report is kept after it was closed, per final status (status=days, comma-separated); "
        "a status not named here is never purged (`make purge`)", services="actions, scripts"))
    erasure_report_days: int = field(default=30, metadata=_setting(
        "ERASURE_REPORT_DAYS", "after a user's 'verwijder mijn gegevens' their conversation is erased within minutes "
        "and their reports this many days later (so the griffie can still act); 0: at the next purge",
        services="actions, scripts"))
    outbox_poll_seconds: int = field(default=30, metadata=_setting(
        "OUTBOX_POLL_SECONDS", "how often the delivery worker (python -m actions.outbox) looks for pending "
        "notifications", services="outbox"))
    outbox_retry_seconds: int = field(default=60, metadata=_setting(
        "OUTBOX_RETRY_SECONDS", "wait after a failed notification; doubles per failure, at most 6 hours",
        services="actions, outbox"))
    outbox_max_attempts: int = field(default=30, metadata=_setting(
        "OUTBOX_MAX_ATTEMPTS", "attempts before a notification is given up (the inbox shows it as not delivered)",
        services="actions, outbox"))
    tracker_store_url: str = field(default="", metadata=_setting(
        "TRACKER_STORE_URL", "Rasa's SQL tracker store as a database URL (compose: the rasa database), to erase a "
        "conversation's events (purge, 'verwijder mijn gegevens'); empty: Rasa keeps conversations in memory and "
        "they are erased through Rasa's API (RASA_URL, RASA_TOKEN)", secret=True, services="actions, outbox, scripts"))

    # --- Telegram: the bot token serves the bridge and the handoff notifications ---------------------------------
    telegram_bot_token: str = field(default="", metadata=_setting(
        "TELEGRAM_BOT_TOKEN", "token from @BotFather (required by the Telegram bridge)", secret=True,
        services="actions, telegram"))
    telegram_api_url: str = field(default="https://api.telegram.org/bot", metadata=_setting(
        "TELEGRAM_API_URL", "Bot API base, the token follows it", services="actions, telegram"))
    telegram_mode: str = field(default="polling", metadata=_setting("TELEGRAM_MODE", "polling or webhook",
                                                                    services="telegram"))
    telegram_webhook_url: str = field(default="", metadata=_setting(
        "TELEGRAM_WEBHOOK_URL", "public https:// address of the webhook (webhook mode)", services="telegram"))
    telegram_webhook_secret: str = field(default="", metadata=_setting(
        "TELEGRAM_WEBHOOK_SECRET", "secret Telegram sends with each update (webhook mode)", secret=True,
        services="telegram"))

    # --- Signal -----------------------------------------------------------------------------------------------------
    signal_number: str = field(default="", metadata=_setting(
        "SIGNAL_NUMBER", "the bot's number in signal-cli-rest-api (required by the Signal bridge)", services="signal"))
    signal_api_url: str = field(default="http://localhost:8080", metadata=_setting(
        "SIGNAL_API_URL", "signal-cli-rest-api (json-rpc mode)", services="signal"))

    # --- the bridges and the Rasa server's bridge channel -----------------------------------------------------------
    bridge_token: str = field(default="", metadata=_setting(
        "BRIDGE_TOKEN", "bearer token between the bridges, the Rasa bridge channel and the griffie page; "
        "empty: refused", secret=True, services="rasa, actions, web, telegram, signal"))
    bridge_host: str = field(default="0.0.0.0", metadata=_setting("BRIDGE_HOST", "a bridge's /send and /health",
                                                                  services="telegram, signal"))
    bridge_port: int | None = field(default=None, metadata=_setting(
        "BRIDGE_PORT", "its port; empty: 8081 (Telegram), 8082 (Signal)", services="telegram, signal"))
    telegram_bridge_url: str = field(default="", metadata=_setting(
        "TELEGRAM_BRIDGE_URL", "the Telegram bridge, for griffie answers and aftercare check-ins", services="actions, web"))
    signal_bridge_url: str = field(default="", metadata=_setting(
        "SIGNAL_BRIDGE_URL", "the Signal bridge, for griffie answers and aftercare check-ins", services="actions, web"))

    # --- Rasa as the channels see it ---------------------------------------------------------------------------------
    rasa_url: str = field(default="http://localhost:5005", metadata=_setting(
        "RASA_URL", "the Rasa server, server side", services="actions, web, telegram, signal, outbox"))
    rasa_token: str = field(default="", metadata=_setting(
        "RASA_TOKEN", "Rasa's API token (transcripts, griffie answers, erasing a conversation)", secret=True,
        services="actions, web, outbox"))
    rasa_public_url: str = field(default="", metadata=_setting(
        "RASA_PUBLIC_URL", "the Rasa address a browser reaches (widget); empty: RASA_URL", services="web"))

    # --- the web service (widget + griffie page) -------------------------------------------------------------------
    griffie_secret: str = field(default="", metadata=_setting(
        "GRIFFIE_SECRET", "signs the griffie page's session cookies (required by the web service)", secret=True,
        services="web"))
    griffie_accounts_file: str = field(default="", metadata=_setting(
        "GRIFFIE_ACCOUNTS_FILE", "YAML with the griffie accounts; empty: nobody can log in", services="web"))
    widget_secret: str = field(default="", metadata=_setting(
        "WIDGET_SECRET", "signs the widget's session tokens (HMAC; the Rasa socket.io channel issues them, the "
        "web service checks them for the history); at least 16 characters; empty: the widget channel refuses "
        "every session", secret=True, services="rasa, web"))
    widget_token_hours: int = field(default=24, metadata=_setting(
        "WIDGET_TOKEN_HOURS", "how long a widget session token stays valid", services="rasa, web"))
    web_host: str = field(default="0.0.0.0", metadata=_setting("WEB_HOST", "the web service's address", services="web"))
    web_port: int = field(default=8080, metadata=_setting("WEB_PORT", "its port", services="web"))

    # --- evidence with a report (issue 14): photos, screenshots, PDFs and links from the messengers and the widget ----
    evidence_max_bytes: int = field(default=10_000_000, metadata=_setting(
        "EVIDENCE_MAX_BYTES", "largest photo or PDF a user may send as evidence, in bytes (10 MB)",
        services="web, telegram, signal"))
    evidence_max_pixels: int = field(default=40_000_000, metadata=_setting(
        "EVIDENCE_MAX_PIXELS", "largest image (width x height) that is opened; larger ones are refused as a possible "
        "decompression bomb", services="web, telegram, signal"))
    evidence_max_items: int = field(default=50, metadata=_setting(
        "EVIDENCE_MAX_ITEMS", "most evidence items (files and links) kept per conversation", services="web, telegram, signal"))
    conversation_retention_days: int = field(default=30, metadata=_setting(
        "CONVERSATION_RETENTION_DAYS", "a conversation that filed no report is erased from Rasa's SQL tracker store by "
        "'make purge' this many days after its last message (with a report, or a handoff the griffie has not closed, it "
        "stays); 0: never",
        services="outbox, scripts"))
    evidence_unfiled_days: int = field(default=7, metadata=_setting(
        "EVIDENCE_UNFILED_DAYS", "evidence sent in a conversation that never filed a report is erased after this many "
        "days", services="web, telegram, signal"))
    evidence_join_hours: int = field(default=24, metadata=_setting(
        "EVIDENCE_JOIN_HOURS", "evidence sent after filing joins the newest report only when it was filed this many "
        "hours ago or less and is still open; otherwise it waits for the next report", services="web, telegram, signal"))
    evidence_max_conversation_bytes: int = field(default=50_000_000, metadata=_setting(
        "EVIDENCE_MAX_CONVERSATION_BYTES", "most bytes of evidence (all files and links together) kept per "
        "conversation (50 MB)", services="web, telegram, signal"))

    seeds_dir: str = field(default=str(REPO_ROOT.parent / "shared" / "seeds"), metadata=_setting(
        "SEEDS_DIR", "the source protocols the protocol files quote (scripts/check_protocols.py and its test)",
        services="scripts, tests"))
    log_level: str = field(default="INFO", metadata=_setting("LOG_LEVEL", "log level of the Signal bridge",
                                                             services="signal"))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from `env` (default: the process environment); unset or blank variables take the default."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f.metadata["env"], "").strip()
            if not raw:
                continue
            values[f.name] = _parse(f.metadata["env"], raw, f.default)
        settings = cls(**values)  # type: ignore[arg-type]
        return dataclasses.replace(settings, telegram_mode=settings.telegram_mode.lower())

    def require(self, name: str, hint: str = "") -> str:
        """The value of the variable `name` (e.g. "GRIFFIE_SECRET"); SettingsError naming it when it is empty."""
        value = getattr(self, _FIELD_BY_ENV[name])
        if value in ("", None):
            raise SettingsError(f"{name} is not set. {hint}".strip())
        return str(value)

    def describe(self) -> list[tuple[str, str, str]]:
        """(variable, value as shown, what it is for) for every setting; secrets show only whether they are set."""
        rows = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.metadata["secret"]:
                shown = "(set)" if value else "(not set)"
            else:
                shown = "(not set)" if value in ("", None) else str(value)
            rows.append((f.metadata["env"], shown, f"{f.metadata['doc']} [{f.metadata['services']}]"))
        return rows


_FIELD_BY_ENV = {f.metadata["env"]: f.name for f in dataclasses.fields(Settings)}
ENV_NAMES = tuple(_FIELD_BY_ENV)


_TRUE, _FALSE = ("1", "true", "yes", "on", "ja"), ("0", "false", "no", "off", "nee", "")


def _parse(name: str, raw: str, default: object) -> object:
    if isinstance(default, bool):
        if raw.strip().lower() not in _TRUE + _FALSE:
            raise SettingsError(f"{name} must be true or false, not {raw!r}")
        return raw.strip().lower() in _TRUE
    if isinstance(default, int) or name.endswith("_PORT"):
        try:
            number = int(raw.strip()) if raw.strip().isascii() else None
        except ValueError:
            number = None
        if name.endswith("_PORT") and (number is None or not 0 <= number <= 65535):
            raise SettingsError(f"{name} must be a port number (0-65535), not {raw!r}")
        if number is None:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}")
        if number < 0:
            raise SettingsError(f"{name} must not be negative, not {raw!r}")
        return number
    return raw


@functools.cache
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use (tests: `get_settings.cache_clear()`)."""
    return Settings.from_env()


def main() -> int:
    try:
        settings = get_settings()
    except SettingsError as error:
        print(f"settings: {error}", file=sys.stderr)
        return 2
    print("Meldhulp settings (environment variable, value; secrets are never shown):")
    for name, shown, _ in settings.describe():
        print(f"  {name:27} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
