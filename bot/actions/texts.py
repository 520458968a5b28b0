"""What the bot says about the ABCD model. The category wording follows the protocols' tables
(Leiden ch. 4 Tabel 1, Nijmegen table); procedure comes from the protocol files, not from here."""

from __future__ import annotations

from core.texts import DANGER_LINE

CATEGORY = {
    "A": "A-gedrag ('ik'-gedrag): emotie over de eigen situatie van die persoon",
    "B": "B-gedrag ('jullie'-gedrag): kritiek op het beleid, de regels of de raad, niet op u als persoon",
    "C": "C-gedrag ('jij'-gedrag): agressie die op u persoonlijk is gericht, zoals schelden, beledigen of discrimineren",
    "D": "D-gedrag: bedreiging, intimidatie of geweld",
}
CATEGORY_SHORT = {"A": "A-gedrag", "B": "B-gedrag", "C": "C-gedrag", "D": "D-gedrag"}
# In the summary: what the letter means, in plain words.
CATEGORY_PLAIN = {
    "A": "boosheid over de eigen situatie van die persoon (A)",
    "B": "kritiek op het beleid of de raad (B)",
    "C": "agressie tegen u persoonlijk, zoals schelden (C)",
    "D": "bedreiging, intimidatie of geweld (D)",
}

SUBKIND = {
    "bedreiging": "een bedreiging",
    "intimidatie": "intimidatie",
    "stalking": "stalking (hinderlijk volgen)",
    "doxing": "doxing (uw gegevens openbaar maken)",
    "seksuele_intimidatie": "seksuele intimidatie",
    "fysiek_geweld": "fysiek geweld",
    "vernieling": "vernieling",
    "belediging": "een belediging, persoonlijk gericht",
    "discriminatie": "discriminatie",
}

ACUTE = (
    "Bent u nu in gevaar? Bel dan direct 112 en zeg waar u bent. "
    "Ga weg of zoek een veilige plek op. Uw eigen veiligheid gaat altijd voor. "
    "Als u veilig bent, kunt u hier verder lezen."
)

# The one question that separates two categories: asked about the heavier one, so
# "ja" means the heavier category and "nee" the lighter one.
DOUBT_QUESTION = {
    "B": "Ging het vooral over het beleid, de regels of de raad ('jullie')? Dus niet alleen over de eigen situatie van die persoon?",
    "C": "Was het op u als persoon gericht ('jij')? Dus schelden, beledigen of discrimineren?",
    "D": "Werd er gedreigd met geweld, of voelde u zich geïntimideerd, gevolgd of fysiek bedreigd?",
}

PERSIST_QUESTION = {
    "A": "Gebeurt dit vaker, door dezelfde persoon en steeds bij u?",
    "B": "Gebeurt dit vaker, door dezelfde persoon en steeds bij u?",
    "C": "Ging het door nadat u had gezegd dat dit gedrag niet acceptabel is?",
}

HANDOFF_BUTTON = "Met iemand praten"

UNSURE_HEAVIEST = (
    "Dat is ook lastig te zeggen. Ik ga uit van het zwaarste: {category}. "
    "Straks kunt u ook kiezen om iemand van de gemeente te spreken, die het met u bekijkt."
)

# The same in the report form, where no offer of a person follows (the report itself reaches the contact person).
UNSURE_HEAVIEST_REPORT = "Dat is ook lastig te zeggen. Ik ga uit van het zwaarste: {category}."

ANSWER_YES_NO = "Kies 'Ja' of 'Nee', dan kan ik verder."

REPORTING = {
    ("required", None): "Melden is verplicht.",
    ("on_continue", True): "Het ging door nadat u het benoemde. Dan moet u het melden.",
    ("on_continue", False): "Stopte de persoon nadat u het benoemde, dan hoeft u het niet te melden. Ging het toch door, dan meldt u het wel.",
    ("on_repeat", True): "Het gebeurt vaker. Meld het dan, zodat er een patroon zichtbaar wordt.",
    ("on_repeat", False): "Melden hoeft niet, tenzij het gedrag aanhoudt en er een patroon ontstaat. Melden mag altijd.",
    ("optional", None): "Melden mag, maar het hoeft niet.",
}


def reporting_required(reporting: str, persistent: bool | None) -> bool:
    return reporting == "required" or (reporting in ("on_continue", "on_repeat") and bool(persistent))


def reporting_sentence(reporting: str, persistent: bool | None) -> str:
    if reporting in ("required", "optional"):
        return REPORTING[(reporting, None)]
    return REPORTING[(reporting, bool(persistent))]

NO_ROUTE = "Ik kon uw contactpersoon nu niet vinden. Neem contact op met de griffie van uw gemeente."
NO_ADVICE = (
    "Door een storing kan ik het advies nu niet ophalen. Uw veiligheid gaat voor. " + DANGER_LINE + " "
    "Meld het voorval bij de griffie of de gemeentesecretaris."
)
