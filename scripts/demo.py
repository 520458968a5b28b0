"""`make demo`: the whole product on this machine, without Docker.

Starts the action server and the Rasa server (REST + socket.io, as servers.py does for the tests), a local
SMTP server that prints the handoff notifications, and the web service with the widget demo page and the
griffie page. Demo accounts (channels/griffie/demo_data.py: the griffier and the burgemeester of Leiden, the
griffier and the gemeentesecretaris of Nijmegen, the functional administrator) get one fresh password, printed
once, and one demo report per status is seeded (again on every run: existing ones are kept, not doubled).
Every address a tester needs is printed. Stop with Ctrl+C; the data of the demo stays in var/demo/ (with its
own encryption key, so the seeded reports stay readable from run to run).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys

import servers
from core.config import get_settings


class PrintingInbox:
    async def handle_DATA(self, server, session, envelope):
        subject = next((line for line in envelope.content.decode(errors="replace").splitlines() if line.startswith("Subject:")), "")
        print(f"\n[e-mail aan {', '.join(envelope.rcpt_tos)}] {subject}\n", flush=True)
        return "250 OK"


def _seed(env: dict) -> int:
    """The demo reports in the demo database (same settings as the servers): how many were written now."""
    from core.config import get_settings

    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REPORT_ENCRYPTION_KEY")})
    os.environ.pop("REPORT_ENCRYPTION_KEY_FILE", None)
    get_settings.cache_clear()
    from actions.store import db
    from channels.griffie import demo_data

    with db.transaction() as session:
        return demo_data.seed(session)


def _stop(*_) -> None:
    raise KeyboardInterrupt


def main() -> int:
    from aiosmtpd.controller import Controller

    # Stop cleanly on SIGTERM too (not only Ctrl+C), so the two servers are not left running.
    signal.signal(signal.SIGTERM, _stop)

    from cryptography.fernet import Fernet

    from channels.griffie import demo_data
    from channels.griffie.accounts import hash_password

    workdir = servers.ROOT / "var" / "demo"
    workdir.mkdir(parents=True, exist_ok=True)
    smtp = Controller(PrintingInbox(), hostname="127.0.0.1", port=servers.free_port())
    smtp.start()
    password = secrets.token_urlsafe(12)
    password_hash = hash_password(password)
    accounts = workdir / "accounts.yml"
    accounts.write_text("accounts:\n" + "".join(a.yaml(password_hash) for a in demo_data.ACCOUNTS))
    contacts = workdir / "contacts.yml"
    # Handoffs and new reports are e-mailed (printed here); Leiden's burgemeester has an own address.
    contacts.write_text("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n"
                        "  burgemeester:\n    notify: {email: burgemeester@leiden.example}\n"
                        "nijmegen:\n  handoff:\n    notify: {email: griffie@nijmegen.example}\n")
    key_file = workdir / "report.key"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    port = get_settings().web_port
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "CONTACTS_FILE": str(contacts),
           "GRIFFIE_URL": f"http://localhost:{port}", "REPORT_ENCRYPTION_KEY": key_file.read_text().strip()}
    try:
        with servers.running(workdir, database_url=f"sqlite:///{workdir / 'meldhulp.db'}", extra_env=env) as bot:
            seeded = _seed(bot.env)
            web_env = {**bot.env, "RASA_URL": bot.rasa_url, "RASA_PUBLIC_URL": bot.rasa_url.replace("127.0.0.1", "localhost"),
                       "GRIFFIE_SECRET": secrets.token_urlsafe(32), "GRIFFIE_ACCOUNTS_FILE": str(accounts),
                       "WEB_PORT": str(port), "WEB_HOST": "127.0.0.1"}
            rasa = bot.rasa_url.replace("127.0.0.1", "localhost")
            names = "\n".join(f"                 {a.username:22} {'auditlog' if a.admin else a.reader}"
                              for a in demo_data.ACCOUNTS)
            print(f"\nRasa (REST):   {rasa}/webhooks/rest/webhook\n"
                  f"               curl -s -H 'Content-Type: application/json' -d '{{\"sender\": \"test\", \"message\": \"hallo\"}}' "
                  f"{rasa}/webhooks/rest/webhook\n"
                  f"Widget demo:   http://localhost:{port}/demo\n"
                  f"Griffie login: http://localhost:{port}/griffie/login\n"
                  f"               gebruiker {demo_data.DEMO_USER.username}, wachtwoord {password}\n"
                  f"               (hetzelfde wachtwoord voor alle demo-accounts:)\n{names}\n"
                  f"Meldingen:     http://localhost:{port}/griffie/meldingen  ({seeded} demomeldingen nieuw geschreven)\n"
                  f"Auditlog:      http://localhost:{port}/griffie/audit  (als beheer)\n"
                  f"E-mail:        a local SMTP server on 127.0.0.1:{smtp.port} prints each notification here\n"
                  "Stop with Ctrl+C.\n", flush=True)
            subprocess.run([sys.executable, "-m", "channels.web"], cwd=servers.ROOT, env=web_env, check=False)
    except KeyboardInterrupt:
        pass
    finally:
        smtp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
