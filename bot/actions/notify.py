"""Tell the contact person that a user asks for them: by e-mail (SMTP), a Telegram chat or a webhook.

The notification never contains the user's story (special personal data): only who asks, from where,
and the link to the griffie page, where the griffier logs in to read the conversation.
Configuration comes from the settings (core.config: SMTP_*, TELEGRAM_BOT_TOKEN, WEBHOOK_SECRET); the addresses
per municipality come from the contacts file (`notify:` in protocols/contacts.example.yml).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage

from core.config import get_settings

log = logging.getLogger(__name__)


class NotifyError(Exception):
    """No configured route delivered the notification."""


def send_email(to: str, subject: str, body: str) -> None:
    settings = get_settings()
    host = settings.smtp_host
    if not host:
        raise NotifyError("SMTP_HOST is not set")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def _post_json(url: str, payload: dict, headers: dict | None = None) -> None:
    body = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=15) as response:
        if response.status >= 300:
            raise NotifyError(f"HTTP {response.status}")


def send_telegram(chat_id: str, text: str) -> None:
    settings = get_settings()
    token = settings.telegram_bot_token
    if not token:
        raise NotifyError("TELEGRAM_BOT_TOKEN is not set")
    base = settings.telegram_api_url
    _post_json(f"{base}{token}/sendMessage", {"chat_id": chat_id, "text": text})


def send_webhook(url: str, payload: dict) -> None:
    """POST the JSON; with WEBHOOK_SECRET the body is signed (X-Meldhulp-Signature: sha256=<hmac>)."""
    secret = get_settings().webhook_secret
    headers = {}
    if secret:
        digest = hmac.new(secret.encode(), json.dumps(payload).encode(), hashlib.sha256).hexdigest()
        headers["X-Meldhulp-Signature"] = f"sha256={digest}"
    _post_json(url, payload, headers)


def notify(routes: dict, subject: str, body: str, payload: dict) -> list[str]:
    """Send through every configured route; returns the routes that worked, raises when none did."""
    done, failed = [], []
    senders = {
        "email": lambda to: send_email(to, subject, body),
        "telegram_chat_id": lambda chat: send_telegram(str(chat), f"{subject}\n\n{body}"),
        "webhook": lambda url: send_webhook(url, {**payload, "subject": subject, "text": body}),
    }
    for route, send in senders.items():
        target = routes.get(route)
        if not target:
            continue
        try:
            send(target)
            done.append(route)
        except Exception as error:  # a bad address or URL in the contacts file must not break the handoff
            log.warning("handoff notification by %s failed: %s", route, type(error).__name__)
            failed.append(route)
    if not done:
        raise NotifyError("no notification route worked" if failed else "no notification route configured")
    return done
