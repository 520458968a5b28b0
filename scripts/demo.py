"""`make demo`: the whole product on this machine, without Docker.

Starts the action server and the Rasa server (REST + socket.io, as servers.py does for the tests), a local
SMTP server that prints the handoff notifications, and the web service with the widget demo page and the
griffie page. A demo griffie account for Leiden is created with a fresh password, printed once.
Stop with Ctrl+C; the data of the demo stays in var/demo/.
"""

from __future__ import annotations

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


def _stop(*_) -> None:
    raise KeyboardInterrupt


def main() -> int:
    from aiosmtpd.controller import Controller

    # Stop cleanly on SIGTERM too (not only Ctrl+C), so the two servers are not left running.
    signal.signal(signal.SIGTERM, _stop)

    from channels.griffie.accounts import hash_password

    workdir = servers.ROOT / "var" / "demo"
    workdir.mkdir(parents=True, exist_ok=True)
    smtp = Controller(PrintingInbox(), hostname="127.0.0.1", port=servers.free_port())
    smtp.start()
    password = secrets.token_urlsafe(12)
    accounts = workdir / "accounts.yml"
    accounts.write_text("accounts:\n  griffie-leiden:\n    municipality: leiden\n    display_name: Griffie Leiden\n"
                        f"    password_hash: '{hash_password(password)}'\n")
    contacts = workdir / "contacts.yml"
    contacts.write_text("leiden:\n  handoff:\n    notify: {email: griffie@leiden.example}\n")
    port = get_settings().web_port
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "CONTACTS_FILE": str(contacts),
           "GRIFFIE_URL": f"http://localhost:{port}"}
    try:
        with servers.running(workdir, database_url=f"sqlite:///{workdir / 'meldhulp.db'}", extra_env=env) as bot:
            web_env = {**bot.env, "RASA_URL": bot.rasa_url, "RASA_PUBLIC_URL": bot.rasa_url.replace("127.0.0.1", "localhost"),
                       "GRIFFIE_SECRET": secrets.token_urlsafe(32), "GRIFFIE_ACCOUNTS_FILE": str(accounts),
                       "WEB_PORT": str(port), "WEB_HOST": "127.0.0.1"}
            print(f"\nWidget demo:   http://localhost:{port}/demo\n"
                  f"Griffie page:  http://localhost:{port}/griffie/  (gebruiker griffie-leiden, wachtwoord {password})\n"
                  "Stop with Ctrl+C.\n", flush=True)
            subprocess.run([sys.executable, "-m", "channels.web"], cwd=servers.ROOT, env=web_env, check=False)
    except KeyboardInterrupt:
        pass
    finally:
        smtp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
