"""The report (melding) in one table: every question the report form asks is one `ReportField`.

The report form's questions and their validation (report.py), the summary, the "Aanpassen" buttons,
the draft (`ReportDraft`) and the columns of the `reports` table (store/models.py) are all generated
from REPORT_FIELDS. Adding a field is one line here plus an Alembic migration. Rasa reads slots,
forms and responses only from domain.yml: its report-field blocks are written from this table by
`python -m actions.report_fields` (tests/bot/actions/test_report_fields.py fails until they match).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# How an incident happened (the report's `medium`); "channel" means only the messenger a person writes in.
MEDIA = {
    "face_to_face": "persoonlijk (face to face)",
    "phone": "telefoon",
    "email": "e-mail",
    "social_media": "sociale media",
    "message": "bericht (WhatsApp, sms)",
    "letter": "brief",
    "other": "anders",
}


def medium_of(text: str | None) -> str | None:
    """The MEDIA key for what the user typed or clicked ("via Facebook Messenger", "hij belde"), or None."""
    if not text:
        return None
    folded = text.lower().strip()
    if folded in MEDIA:
        return folded
    from actions.prefill import IN_PERSON, PLACE_ANSWER, medium_in

    # "in de trein", "bij de Jumbo", "tijdens een debat": a place or an act in person, no other way named.
    return medium_in(folded) or ("face_to_face" if PLACE_ANSWER.search(folded) or IN_PERSON.search(folded) else None)


@dataclass(frozen=True)
class ReportField:
    """One question of the report form and where its answer goes."""

    name: str  # key in ReportDraft.answers
    slot: str  # the Rasa slot the report form fills (declared in domain.yml)
    question: str  # the question the form asks (a domain response; a choice field asks it with buttons)
    label: str  # in the summary and on the "Aanpassen" button
    column: str  # column of the reports table; free text is encrypted at rest
    change_words: tuple[str, ...] = ()  # words that pick this field after "Aanpassen"
    choices: Mapping[str, str] | None = None  # key -> label, for a field answered with buttons
    parse: Callable[[str | None], str | None] | None = None  # typed text -> choice key
    unknown_choice: str = ""  # said when a typed answer is none of the choices
    optional: bool = False  # not asked by the form; filled from the story or through "Aanpassen"
    example: str = ""  # said when an answer is no answer ("ja", empty): what kind of answer helps

    @property
    def asked_by(self) -> str:
        """The domain response (free text) or the action with buttons (a choice) that asks it."""
        return f"action_ask_{self.slot}" if self.choices else f"utter_ask_{self.slot}"

    @property
    def encrypted(self) -> bool:
        """Free text (special personal data) is encrypted; a choice key is not."""
        return self.choices is None

    def shown(self, value: Any) -> Any:
        return self.choices.get(value, value) if self.choices else value


def _free(name: str, label: str, question: str, example: str, *change_words: str, optional: bool = False) -> ReportField:
    return ReportField(name, f"report_{name}", question, label, name, change_words, optional=optional, example=example)


# The 7 W's of the Alkmaar protocol (§5: wie, wat, waar, waarmee, op welke wijze, wanneer, waarom) and how it
# happened, in the order the form asks them; then witnesses and consequences (issue 13), which the form does not
# ask: they are taken from the story when it names them, and can be added at the summary.
REPORT_FIELDS: tuple[ReportField, ...] = (
    _free("what", "Wat", "Wat is er gebeurd? Schrijf het zo precies mogelijk op. Noem ook de woorden die zijn gebruikt.",
          "Bijvoorbeeld: 'Een man riep dat hij weet waar ik woon.'", "wat", "gebeurd", "verhaal"),
    _free("who", "Wie", "Wie deed het? Bijvoorbeeld: een man van ongeveer 40, of een account op Facebook.",
          "Bijvoorbeeld: 'een vrouw van rond de 30' of 'een onbekend account'.", "wie", "dader", "persoon"),
    _free("when", "Wanneer", "Wanneer was het? Typ zoiets als: gisteravond, of vorige week dinsdag.",
          "Typ zoiets als: gisteren, of vorige week dinsdag.", "wanneer", "datum", "tijd", "dag"),
    _free("where", "Waar", "Waar gebeurde het? Bijvoorbeeld: op de markt, bij u thuis of op Facebook.",
          "Bijvoorbeeld: 'in het stadhuis' of 'op Facebook'.", "waar", "plaats", "plek", "locatie"),
    ReportField("medium", "report_medium", "Hoe kwam het bij u? Kies een knop of typ het in uw eigen woorden.", "Via",
                "medium", ("via", "kanaal", "medium", "hoe kwam"), choices=MEDIA, parse=medium_of,
                unknown_choice="Dat begrijp ik niet goed. Was het in persoon, per telefoon, online of anders? Kies een knop.",
                example="Bijvoorbeeld: 'hij belde me' of 'via Facebook'."),
    _free("with_what", "Waarmee", "Waarmee gebeurde het? Bijvoorbeeld: alleen met woorden, met een gebaar of met een wapen.",
          "Bijvoorbeeld: 'alleen met woorden' of 'met een stok'.", "waarmee", "wapen", "voorwerp"),
    _free("how", "Op welke wijze", "Hoe deed de persoon het? Bijvoorbeeld: schreeuwend, rustig maar dreigend, of steeds weer.",
          "Bijvoorbeeld: 'schreeuwend' of 'steeds opnieuw'.", "wijze", "manier"),
    _free("why", "Waarom", "Waarom gebeurde het, denkt u? Bijvoorbeeld: om een besluit van de raad.",
          "Bijvoorbeeld: 'om het besluit over het azc'.", "waarom", "reden"),
    _free("witnesses", "Getuigen", "Heeft iemand het gezien of gehoord? Noem wie, of typ 'niemand'.",
          "Typ zoiets als: 'mijn buurman' of 'niemand'.", "getuigen", "getuige", optional=True),
    _free("consequences", "Gevolgen", "Wat zijn de gevolgen voor u? Bijvoorbeeld: schade, letsel of angst.",
          "Bijvoorbeeld: 'ik slaap slecht' of 'mijn ruit is kapot'.", "gevolgen", "gevolg", "schade", optional=True),
)
BY_SLOT = {f.slot: f for f in REPORT_FIELDS}
FIELD_SLOTS = [f.slot for f in REPORT_FIELDS]
# The report form asks first whether a report is wanted, then every field. triage_check is the triage's doubt
# question, asked right after the story only while a doubt is open (a story typed into the form, or a triage left
# before its question was answered; actions.report.ValidateReportForm.required_slots).
FORM_SLOTS = ["report_wanted", *FIELD_SLOTS, "triage_check"]


@dataclass(frozen=True)
class ReportDraft:
    """A confirmed summary, ready to be written as one row of the reports table."""

    draft_id: str
    conversation_id: str
    municipality: str
    municipality_key: str | None
    role: str | None
    category: str | None
    subkind: str | None
    reporting: str  # "required" or "optional"
    acute: bool
    online: bool
    contact_function: str
    answers: Mapping[str, str] = field(default_factory=dict)  # ReportField.name -> answer
    cues: list[dict] = field(default_factory=list)
    identity_hash: str | None = None  # who filed it (actions/identity.py): a keyed hash, never the sender id
    identity_channel: str | None = None

    @property
    def readable_by(self) -> str:
        return f"{self.municipality_key or self.municipality.lower()}:{self.contact_function}"

    @classmethod
    def from_slots(cls, slot: Callable[[str], Any], conversation_id: str) -> ReportDraft | None:
        """The draft from the tracker's slots, or None when something it needs is missing."""
        answers = {f.name: slot(f.slot) for f in REPORT_FIELDS}
        draft_id, municipality = slot("report_draft_id"), slot("municipality")
        if not draft_id or not municipality or not all(answers[f.name] for f in REPORT_FIELDS if not f.optional):
            return None
        from nlu import cues  # the same list of online media as the classifier

        return cls(
            draft_id=draft_id,
            conversation_id=conversation_id,
            municipality=municipality,
            municipality_key=slot("municipality_key"),
            role=slot("role"),
            category=slot("category"),
            subkind=slot("subkind"),
            reporting="required" if slot("report_required") else "optional",
            acute=bool(slot("acute")),
            online=answers["medium"] in cues.ONLINE_MEDIA or bool(slot("online")),
            contact_function=slot("contact_function") or "griffier",
            answers=answers,
            cues=list(slot("cues") or []),
        )

    def row(self) -> dict[str, Any]:
        """The columns of the reports table (store.models.Report) for this draft."""
        return {
            "draft_id": self.draft_id,
            "conversation_id": self.conversation_id,
            "municipality": self.municipality,
            "municipality_key": self.municipality_key,
            "role": self.role,
            "category": self.category,
            "subkind": self.subkind,
            "reporting": self.reporting,
            "acute": self.acute,
            "online": self.online,
            "contact_function": self.contact_function,
            "readable_by": self.readable_by,
            **{f.column: self.answers.get(f.name) for f in REPORT_FIELDS},
            "cues": json.dumps(self.cues, ensure_ascii=False),
            "identity_hash": self.identity_hash,
            "identity_channel": self.identity_channel,
        }


def answers_of(report: Any) -> list[tuple[ReportField, Any]]:
    """A stored report's answers in form order, each with its field (for its label and shown value):
    what a griffie page or an export lists, so they follow the table too."""
    return [(f, getattr(report, f.column)) for f in REPORT_FIELDS]


# --- domain.yml: the report fields' slots, the report form's slot list and the questions -------------

BEGIN, END = "# >>> report fields: written by `python -m actions.report_fields` from REPORT_FIELDS; do not edit", "# <<< report fields"
DOMAIN = Path(__file__).resolve().parents[1] / "domain" / "meldhulp.yml"


def _domain_blocks() -> list[list[str]]:
    """The three generated blocks of domain.yml, in file order: slots, form slots, responses."""
    slots = []
    for f in REPORT_FIELDS:
        slots += [
            f"  {f.slot}:",
            "    type: text",
            "    influence_conversation: false",
            "    mappings:",
            "      - type: from_text",
            "        not_intent: [stop, request_human, pause]",
            f"        conditions: [{{active_loop: report_form, requested_slot: {f.slot}}}]",
        ]
    form = [f"      - {slot}" for slot in FORM_SLOTS]
    responses = []
    for f in REPORT_FIELDS:
        if not f.choices:
            responses += [f"  {f.asked_by}:", f"    - text: {json.dumps(f.question, ensure_ascii=False)}",
                          "      buttons:", '        - {title: "Weet ik niet", payload: "weet ik niet"}']
    return [slots, form, responses]


def render_domain(text: str) -> str:
    """domain.yml's text with its report-field blocks written from the table (the rest untouched)."""
    lines = text.split("\n")
    blocks = iter(_domain_blocks())
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if lines[i].strip() == BEGIN:
            out += next(blocks)
            while lines[i].strip() != END:
                i += 1
            out.append(lines[i])
        i += 1
    if next(blocks, None) is not None:
        raise ValueError(f"domain.yml lacks the three '{BEGIN}' ... '{END}' blocks")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    text = DOMAIN.read_text(encoding="utf-8")
    rendered = render_domain(text)
    if argv[:1] == ["--check"]:
        return 0 if rendered == text else 1
    DOMAIN.write_text(rendered, encoding="utf-8")
    print(f"{DOMAIN}: report fields written ({len(REPORT_FIELDS)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
