"""Demo accounts and reports: `make demo` seeds them so the Meldingen inbox is not empty on first look, and the
authorisation matrix test (tests/channels/griffie/test_authorisation.py) checks every account × report pair.

One Leiden report per status for the griffier, plus reports routed to Leiden's burgemeester and to Nijmegen's
griffier and gemeentesecretaris, so that both "another function" and "another municipality" are in the data.
Seeding is idempotent: a report is found again by its draft id and is not written twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from actions.report_fields import ReportDraft
from actions.store import inbox, outbox, reports


@dataclass(frozen=True)
class DemoAccount:
    username: str
    municipality: str
    function: str
    display_name: str
    admin: bool = False

    @property
    def reader(self) -> str | None:
        return None if self.admin else f"{self.municipality}:{self.function}"

    def yaml(self, password_hash: str) -> str:
        if self.admin:
            return (f"  {self.username}:\n    role: beheerder\n    display_name: {self.display_name}\n"
                    f"    password_hash: '{password_hash}'\n")
        return (f"  {self.username}:\n    municipality: {self.municipality}\n    function: {self.function}\n"
                f"    display_name: {self.display_name}\n    password_hash: '{password_hash}'\n")


ACCOUNTS = (
    DemoAccount("griffie-leiden", "leiden", "griffier", "Griffie Leiden"),
    DemoAccount("burgemeester-leiden", "leiden", "burgemeester", "Burgemeester Leiden"),
    DemoAccount("griffie-nijmegen", "nijmegen", "griffier", "Griffie Nijmegen"),
    DemoAccount("secretaris-nijmegen", "nijmegen", "gemeentesecretaris", "Gemeentesecretaris Nijmegen"),
    DemoAccount("beheer", "", "", "Functioneel beheer", admin=True),
)
DEMO_USER = ACCOUNTS[0]

# The path through the workflow to each status (every step is a recorded change with a note).
PATHS = {
    "nieuw": (),
    "in_behandeling": ("in_behandeling",),
    "aangifte_gedaan": ("in_behandeling", "aangifte_gedaan"),
    "doorverwezen": ("in_behandeling", "doorverwezen"),
    "afgesloten": ("in_behandeling", "aangifte_gedaan", "afgesloten"),
}
NOTES = {
    "in_behandeling": "Demo: melder gebeld, afspraak gemaakt.",
    "aangifte_gedaan": "Demo: aangifte gedaan bij de politie, samen met de melder.",
    "doorverwezen": "Demo: doorverwezen naar de adviseur Veilige Publieke Taak.",
    "afgesloten": "Demo: nazorggesprek gevoerd, melding afgesloten.",
}


@dataclass(frozen=True)
class DemoReport:
    key: str
    municipality: str
    municipality_key: str
    role: str
    contact_function: str
    category: str
    status: str
    what: str
    medium: str

    @property
    def readable_by(self) -> str:
        return f"{self.municipality_key}:{self.contact_function}"

    def draft(self) -> ReportDraft:
        answers = {
            "what": self.what, "who": "Demo: een man van ongeveer 40, onbekend", "when": "Demo: vorige week dinsdag, 20.00 uur",
            "where": "Demo: na de raadsvergadering, bij de uitgang van het stadhuis", "medium": self.medium,
            "with_what": "alleen woorden", "how": "Demo: schreeuwend", "why": "Demo: een besluit van de raad",
        }
        return ReportDraft(
            draft_id=f"demo-{self.key}", conversation_id=f"demo-{self.key}", municipality=self.municipality,
            municipality_key=self.municipality_key, role=self.role, category=self.category, subkind=None,
            reporting="required" if self.category in ("C", "D") else "optional", acute=False,
            online=self.medium in ("social_media", "email", "message"), contact_function=self.contact_function,
            answers=answers, cues=[{"text": "Demo", "kind": "demonstratie", "category": self.category}],
        )


REPORTS = (
    *(DemoReport(f"leiden-{status}", "Leiden", "leiden", "raadslid", "griffier", category, status,
                 f"Demo ({status.replace('_', ' ')}): {what}", medium)
      for status, category, what, medium in (
          ("nieuw", "D", "hij riep dat hij weet waar ik woon", "face_to_face"),
          ("in_behandeling", "C", "scheldwoorden onder mijn bericht op Facebook", "social_media"),
          ("aangifte_gedaan", "D", "een e-mail waarin staat dat mijn auto in brand gaat", "email"),
          ("doorverwezen", "B", "hij blijft mij na elke vergadering opwachten", "face_to_face"),
          ("afgesloten", "A", "een boze beller die bleef schreeuwen", "phone"),
      )),
    DemoReport("leiden-wethouder", "Leiden", "leiden", "wethouder", "burgemeester", "D", "nieuw",
               "Demo: een dreigbrief op mijn huisadres", "letter"),
    DemoReport("nijmegen-raadslid", "Nijmegen", "nijmegen", "raadslid", "griffier", "C", "nieuw",
               "Demo: beledigende berichten in een WhatsApp-groep", "message"),
    DemoReport("nijmegen-wethouder", "Nijmegen", "nijmegen", "wethouder", "gemeentesecretaris", "B", "in_behandeling",
               "Demo: een inwoner die mij thuis opwacht", "face_to_face"),
)


UNDELIVERED = "leiden-nieuw"  # its notification "failed", so the inbox shows "nog niet bezorgd" once


def seed(session: Session, by: str = "demo") -> int:
    """Write the demo reports that are not there yet, each walked to its status; the number written.
    Their filing notification is recorded as delivered (one as failed), without sending anything."""
    written = 0
    for demo in REPORTS:
        report, created = reports.submit_report(session, demo.draft())
        if not created:
            continue
        written += 1
        for row in outbox.queue_contact_notifications(session, report, "filed", routes={"email": "demo@example.invalid"}):
            if demo.key == UNDELIVERED:
                outbox.mark_failed(session, row.id, "demo")
            else:
                outbox.mark_delivered(session, row.id)
        for status in PATHS[demo.status]:
            inbox.set_status(session, report, status, NOTES[status], by)
    return written
