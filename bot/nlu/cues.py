"""Cue rules for the ABCD model: the words in a story that show what kind of behaviour it was.

Pure Python (no Rasa), so the Rasa server's NLU component and the tests both use it.

Only C and D cues are *strong*: they can raise the category the statistical model chose, because
the protocols say the heaviest behaviour counts and missing a threat is the worst error
(Leiden ch. 4; Nijmegen table). A and B are never forced by a word: "jullie" or shouting does not
make a story B, the direction of the whole story does, so those are left to the trained model.

This module is the public side (`Cue`, `find_cues`, `is_acute`, ...) with the rules that read a sentence or a story:
whether a cue counts there (negation, a question, a joke, what was read or heard, firm) and what the story says
besides its category (acute danger, now, persistent, a colleague, the medium). The C and D word lists are in
nlu/cue_words.py, the spelling normaliser in nlu/spelling.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlu.cue_words import _C_RULES, _D_RULES, HARM_RULE, _rx
from nlu.spelling import plain

SEVERITY = {"A": 1, "B": 2, "C": 3, "D": 4}


@dataclass(frozen=True)
class Cue:
    text: str  # the words as the user wrote them
    kind: str  # e.g. "bedreiging", "belediging"
    category: str  # "C" or "D"
    # in a sentence that reports what the person read or heard about ("ik las dat een wethouder
    # bedreigd werd"): the triage then also asks the model (nlu/triage.py, cue_min_prob)
    reported: bool = field(default=False, compare=False)
    # in a sentence that says it happened to the person ("ik word bedreigd", "hij dreigde mij", "op ons huis") or
    # names an unmistakable threat or act ("vermoorden", "kogel", "mishandeld"): a D cue there counts whatever the
    # model says (nlu/triage.py, d_cue_min_prob)
    firm: bool = field(default=False, compare=False)

    def as_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "category": self.category}


# Whether a cue counts in its sentence: not negated, not in a question or a joke; reported, or firm.

_NEGATION = re.compile(r"\b(?:geen|niet|nooit|zonder|niks|niets)\b[^.!?,;]{0,25}$|\bniemand\s+(?:is\s+|werd\s+|wordt\s+)?$", re.IGNORECASE)
# "niet bedreigd, maar schold me wel uit": a negation does not reach past "maar"/"wel".
_CLAUSE_BREAK = re.compile(r"\b(?:maar|wel|toch|echter|alleen)\b|[.!?,;:]", re.IGNORECASE)


def _clause_before(text: str, start: int, reach: int) -> str:
    """The words before `start` in the same clause, at most `reach` characters back."""
    return _CLAUSE_BREAK.split(text[max(0, start - reach) : start])[-1]


def _not_negated(text: str, start: int) -> bool:
    return not _NEGATION.search(_clause_before(text, start, 40))


# A general or hypothetical question ("wat moet ik doen als iemand mij bedreigt?") tells no incident:
# its words are not cues. Judged per sentence, so that a story told next to a question keeps its cues
# ("Kunt u uitleggen wat ik moet doen? Een man bedreigde mij gisteren."). Acute danger is checked
# separately, on the whole text.
HYPOTHETICAL = _rx(
    r"^\s*(?:stel\s+(?:dat|je\s+voor|nou)|wat\s+als|wat\s+(?:moet|kan|doe|zou)\s+ik\s+(?:\w+\s+){0,2}als|"
    r"wat\s+is\s+het\s+verschil|wat\s+(?:valt|telt)\s+(?:er\s+)?(?:onder|als)|wat\s+is\s+(?:een|het)\s+\w+\?|"
    r"(?:is|telt)\s+het\s+(?:ook\s+)?(?:al\s+)?(?:een\s+)?\w+\s+als|mag\s+(?:iemand|een\s+inwoner)|"
    r"hoe\s+(?:ga|moet)\s+ik\s+om\s+met|hoe\s+(?:moet|kan|zal)\s+ik\s+(?:\w+\s+){0,2}als|wanneer\s+(?:is\s+(?:het|iets)|bel|meld)|"
    r"wat\s+is\s+(?:\w+\s+){1,2}(?:precies|eigenlijk)|(?:kun|kunt|kan)\s+(?:je|jij|u)\s+(?:\w+\s+){0,3}uitleggen)",
    # "als iemand spuugt, telt dat als geweld?", but not "als hij mij weer bedreigt, ...?"
    r"^\s*als\s+(?![^?]*\b(?:weer|opnieuw|nog\s+eens|nog\s+een\s+keer)\b)[^?]*\?\s*$",
)

# Verbs that tell something that happens or happened; a sentence with these is a story.
_NARRATIVE = _rx(
    r"\b(?:zei|zeiden|riep|riepen|schreef|schreven|stuurde|stuurden|belde|kreeg|kregen|appte|mailde|stond|stonden|"
    r"kwam|kwamen|sloeg|gooide|noemde|dreigde|spuugde|volgde|duwde|postte|plaatste|deelde)\b",
    r"\b(?:zegt|zeggen|stuurt|appt|mailt|belt|dreigt|staat|volgt|wacht|roept|schrijft|post|komt|blijft|noemt|scheldt|"
    r"slaat|duwt|spuugt|krijg|krijgen|bedreigt|bedreigen|intimideert|stalkt)\b",
    r"\b(?:ik|we|wij)\s+(?:word|worden)\b|\bword\s+ik\b|\bworden\s+we\b",
    r"\b(?:heeft|hebben|had|hadden|is|werd|werden|ben|wordt)\s+(?:\w+\s+){0,5}(?:gezegd|geroepen|geschreven|"
    r"gestuurd|gebeld|geappt|gemaild|gedreigd|bedreigd|geslagen|geschopt|geduwd|gegrepen|gespuugd|gevolgd|achtervolgd|"
    r"opgewacht|gepost|gedeeld|gezet|geplaatst|gegooid|vernield|beklad|bekrast|gefilmd|aangevallen|betast|gestalkt|"
    r"uitgescholden|aangesproken)\b",
)
_WHEN = _rx(r"\b(?:vandaag|gisteren|vanochtend|vanmorgen|vanavond|vannacht|net|zojuist|weer|opnieuw)\b")
# A sentence about the protocol or its words (a talk, a course, the news) tells no incident unless it
# tells a story; nor does one in a text that says nothing happened ("puur theoretisch").
_ABOUT_WORDS = _rx(
    r"\b(?:protocol\w*|tabel|handreiking|presentatie|cursus|training|workshop|webinar|voorlichting|voorbeeld\w*|"
    r"documentaire|definitie|in\s+het\s+nieuws|in\s+de\s+krant|op\s+het\s+journaal)\b",
)
_NOTHING_HAPPENED = _rx(
    r"\b(?:er\s+is|het\s+is)\s+(?:nu\s+|nog\s+|verder\s+)?(?:niks|niets|niet)\s+(?:\w+\s+)?gebeurd\b",
    r"\bvoor\s+de\s+zekerheid\b",
    r"\bpuur\s+theoretisch\b",
)
# A joke or a test, said in the same clause as the words ("typte 'ik word bedreigd' als grapje").
_NOT_REAL = _rx(r"\b(?:als\s+grap(?:je)?|negeer\s+(?:dat|dit)(?:\s+maar)?)\b")
# A wish of harm with no act announced is C (label rules): "ik hoop dat iemand je doodschiet", "moge hij ...".
_WISH = _rx(r"\b(?:hoop|hoopt|hopen|hoopte|hoopten|wens|wenst|wensen|wenste)\b[^.!?]{0,40}\bdat\b|\b(?:wou|wilde|zou\s+willen)\s+dat\b|\bmoge\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sentences(text: str):
    """(offset, sentence) pairs."""
    start = 0
    for end in [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        yield start, text[start:end]
        start = end


def _tells_nothing(sentence: str, nothing_happened: bool) -> bool:
    if HYPOTHETICAL.search(sentence):
        return True
    if _NARRATIVE.search(sentence):
        return False
    if sentence.rstrip(" '\"").endswith("?"):
        return not _WHEN.search(sentence)  # a question that tells no event
    return nothing_happened or bool(_ABOUT_WORDS.search(sentence))


def _in_a_joke(text: str, start: int, end: int) -> bool:
    before = _clause_before(text, start, 80)
    after = _CLAUSE_BREAK.split(text[end : end + 80])[0]
    return bool(_NOT_REAL.search(before + text[start:end] + after))


_REPORTED = _rx(
    r"\b(?:las|lees|leest|lazen|gelezen|nieuws|artikel|krant|journaal|vonnis|documentaire|podcast|monitor)\b",
    r"\bhoorde\s+(?:dat|van)\b",
)


# The sentence says it happened to the person or their home or family: told as their own ("ik word bedreigd", "ik
# kreeg een dreigbrief"), done to them ("hij dreigde mij", "kwam op me af"), or to their home, office, staff or family.
_VICTIM_WORDS = (
    r"bedreigd|gedreigd|geslagen|geschopt|getrapt|geduwd|gevolgd|achtervolgd|gestalk\w*|belaagd|opgewacht|"
    r"aangevallen|aangerand|betast|bespuugd|bespuwd|mishandeld|ge[iï]ntimideerd|lastiggevallen|beroofd|neergestoken|"
    r"beschoten|gedoxt|bekogeld|klemgereden|vastgepakt|vastgegrepen"
)
_VICTIM = f"(?:{_VICTIM_WORDS})"
_VICTIM_VERBS = r"(?:bedreigde|bedreigden|bedreigt|sloeg|sloegen|slaat|schopte|schopt|duwde|duwt|mishandelde|belaagde|intimideerde)"
_PERSON = (
    r"(?:burgemeester|wethouder|raadslid|raadsleden|griffier|statenlid|gedeputeerde|fractievoorzitter|medewerker\w*|"
    r"collega\w*|secretaris|assistent\w*|boa\w*|agent\w*|handhaver\w*|man|vrouw|jongen|meisje|hij|zij|ze)"
)
_OWN = _rx(
    rf"\b(?:ik|we|wij)\s+(?:word|werd|ben|zijn|worden|werden)\s+(?:\w+\s+){{0,5}}?{_VICTIM}\b",
    rf"\b(?:word|werd|ben|worden|werden)\s+(?:ik|we|wij)\s+(?:\w+\s+){{0,5}}?{_VICTIM}\b",
    r"\b(?:ik|we|wij)\s+(?:kreeg|kregen|krijg|krijgen|ontving|ontvingen)\b",
    r"\b(?:ik|we|wij)\s+(?:heb|hebben|had|hadden)\s+(?:\w+\s+){0,5}?(?:gekregen|ontvangen)\b",
    r"\b(?:ik|we|wij)\s+(?:voel|voelde|voelen|voelden)\s+(?:me|mij|ons)\s+(?:\w+\s+){0,2}?(?:bedreigd|ge[iï]ntimideerd|onveilig)\b",
    # the verb, then the person as its object ("hij dreigde mij", "bedreigde ons."), not "een bedreiging voor ons dorp"
    r"\b(?:dreig(?:de|den|t)|bedreig(?:de|den|t)|sloeg|slaat|schopte|schopt|duwde|duwt|volgde|volgt|achtervolg(?:de|t)|"
    r"spuugde|spuugt|betastte|belaagde|intimideerde|wachtte)\s+(?:\w+\s+){0,2}?"
    r"(?:me|mij|ons(?=\s*(?:[.!?,;:]|$|en\b|met\b|toen\b|op\b|al\b|ook\b|gisteren\b|steeds\b|weer\b|opnieuw\b|vaak\b)))\b",
    # "greep me", "pakte me", but not "het greep me enorm aan."
    r"\b(?:greep|grijpt|pakte)\s+(?:\w+\s+){0,2}?(?:me|mij|ons)\b(?![^.!?]{0,20}\baan\s*(?:[.!?,;]|$))",
    # the person first: "hij heeft mij vorige week bedreigd", "ze hebben ons bedreigd", "dat hij me gaat vermoorden"
    rf"\b(?:me|mij)\s+(?:\w+\s+){{0,6}}?(?:{_VICTIM_WORDS}|vermoorden|vermoord|afmaken|doodmaken|doodschieten|"
    r"neersteken|bedreigen)\b",
    rf"\bons\s+(?!\w+\s+(?:wordt|werd|is|worden)\b)(?:\w+\s+){{0,3}}?{_VICTIM}\b",
    r"\bop\s+(?:me|mij|ons)\s+af\b|\bviel\s+(?:me|mij|ons)\s+aan\b",
    # one's staff or colleagues, with the act ("hij sloeg onze griffier", "mijn medewerker is bedreigd")
    rf"\b(?:mijn|m'n|onze)\s+(?:griffier|medewerker\w*|collega\w*|secretaris|assistent\w*|burgemeester|wethouder)\b"
    rf"[^.!?]{{0,40}}?\b{_VICTIM}\b",
    rf"\b{_VICTIM_VERBS}\s+(?:mijn|m'n|onze)\s+(?:griffier|medewerker\w*|collega\w*|secretaris|assistent\w*)\b",
    r"\b(?:mijn|m'n|ons|onze)\s+(?:huis|woning|auto|deur|voordeur|raam|ramen|ruit|ruiten|tuin|brievenbus|adres|oprit|"
    r"stoep|hek|kantoor|gezicht|kinderen|kind|gezin|vrouw|man|dochter|zoon|partner|vriendin|vriend|familie|ouders|"
    r"moeder|vader|broer|zus)\b",
    r"\bbij\s+(?:ons|mij|me)\s+thuis\b",
    r"\b(?:lag|lagen|zat|zaten|hing|hingen|stond|stonden)\s+(?:\w+\s+){0,4}?(?:bij|in|aan|op|voor)\s+(?:de|het|onze|ons|mijn|"
    r"m'n)\s+(?:voordeur|deur|brievenbus|stoep|hek|oprit|tuin|raam)\b",  # "er lag een kogel bij de voordeur"
)
# An unmistakable threat or act of violence against a person, whoever it is ("die wethouder moet dood", "de
# burgemeester is aangevallen", "met een pistool"); not the idioms ("de kogel is door de kerk", "bomen", "het werk
# afmaken", "in de raad fel aangevallen").
_UNMISTAKABLE = _rx(
    r"\b(?:moet|moeten|gaat|gaan)\s+(?:\w+\s+){0,2}?dood\b|\bdood\s*(?:te\s+)?(?:schieten|steken|slaan|maken)\b",
    r"\bmet\s+de\s+dood\b|\bdoodsbedreig\w*|\bdreig(?:brie\w*|mail\w*)\b",
    r"\b(?:vermoord\w*|gedood|kopje\s+kleiner)\b|\bgaat\s+eraan\b(?!\s+(?:werken|doen|denken|beginnen|wennen))",
    r"\b(?:je|jou|u|hem|haar|hen|jullie|me|mij)\s+(?:\w+\s+){0,3}?af(?:\s+te|\s+zou|\s+zal|\s+gaan)?\s*maken\b",
    r"\bkogel(?:s|huls\w*|gat\w*)?\b(?!\s+is\s+door\s+de\s+kerk)|(?<!barstte\sde\s)(?<!barst\sde\s)\b(?:bom|bommen|bommelding\w*|bomaanslag\w*|brandbom\w*)\b(?!\s+(?:barst|is\s+gebarsten))",
    r"\b(?:beschoten|doodgeschoten|neergeschoten|schietpartij\w*|brandstichting)\b|\bop\s+(?:\w+\s+){1,3}(?:is\s+|werd\s+)?geschoten\b",
    r"\bin\s+(?:brand|de\s+fik)\b",
    r"\b(?:mishandel\w*|neergestoken|neer\s+te\s+steken|neersteken|verkracht\w*|aangerand|aanrand\w*)\b",
    r"\bin\s+elkaar\s+(?:te\s+)?(?:slaan|geslagen|trappen|getrapt|schoppen|geschopt)\b",
    r"\bmet\s+(?:een|zijn|haar)\s+(?:mes|pistool|vuurwapen|geweer|bijl|hamer|knuppel|honkbalknuppel)\b",
    r"\bweten\s+waar\s+(?:je|jij|u|hij|zij|ze|jullie)\s+(?:woont|wonen|woon)\b",
    rf"\b{_PERSON}\s+(?:is|werd|wordt|zijn|werden|worden)\s+(?:\w+\s+){{0,4}}?(?:aangevallen|geslagen|geschopt|getrapt|"
    r"bespuugd|bedreigd|mishandeld|ge[iï]ntimideerd|lastiggevallen)\b(?![^.!?]{0,30}\b(?:in\s+de\s+raad|in\s+het\s+debat|oppositie|motie)\b)",
)


def _is_firm(sentence: str) -> bool:
    return bool(_OWN.search(sentence) or _UNMISTAKABLE.search(sentence))


def find_cues(text: str) -> list[Cue]:
    """All C and D cues in the text, in reading order, one per matched phrase."""
    text = plain(text)
    found: dict[tuple[int, int], Cue] = {}
    nothing_happened = bool(_NOTHING_HAPPENED.search(text))
    for offset, sentence in _sentences(text):
        if not sentence.strip() or _tells_nothing(sentence, nothing_happened):
            continue
        reported = firm = None  # of this sentence, each read once, when a cue needs it
        for rules in (_D_RULES, _C_RULES):
            for kind, pattern in rules:
                category = "D" if rules is _D_RULES else "C"
                for match in pattern.finditer(sentence):
                    span = (offset + match.start(), offset + match.end())
                    if span[1] - span[0] < 2 or not _not_negated(text, span[0]) or _in_a_joke(text, *span):
                        continue
                    if pattern is HARM_RULE and _WISH.search(_clause_before(text, span[0], 60)):
                        continue  # "ik hoop dat iemand je doodschiet": a wish of harm, C by the label rules
                    if any(s[0] <= span[0] and span[1] <= s[1] for s in found):
                        continue  # already covered by a heavier or longer cue
                    if reported is None:
                        reported = bool(_REPORTED.search(sentence))
                    if category == "D" and firm is None:
                        firm = _is_firm(sentence)
                    # a verb of killing or beating with a person as its object is unmistakable (nlu/cue_words.HARM_VERBS)
                    found[span] = Cue(text=match.group(0).strip(), kind=kind, category=category, reported=reported,
                                      firm=category == "D" and (bool(firm) or pattern is HARM_RULE))
    return [found[span] for span in sorted(found)]


_DIRECT = re.compile(r"\b(?:je|jij|jou|jouw|jullie|u|uw|ik)\b", re.IGNORECASE)


def is_direct(cue: Cue) -> bool:
    """The cue's own words speak to someone ("ik maak je af", "je bent een rat"): said, not named.
    Such a cue counts also in a sentence about what the person read or heard (nlu/triage.py)."""
    return bool(_DIRECT.search(cue.text))


def heaviest(cues: list[Cue]) -> str | None:
    return max((c.category for c in cues), key=SEVERITY.__getitem__, default=None)


def d_subkind(cues: list[Cue]) -> str | None:
    """The D sub-kind of the first D cue, preferring the physical ones (they weigh most)."""
    kinds = [c.kind for c in cues if c.category == "D"]
    for heavy in ("fysiek_geweld", "vernieling", "seksuele_intimidatie", "doxing", "stalking"):
        if heavy in kinds:
            return heavy
    return kinds[0] if kinds else None


# What the story says besides its category: acute danger, now, persistent, a colleague, the medium.

# Who can be there now: a person or a group, not a thing ("de wachtlijst staat nog steeds vast").
_WHO = (r"\b(?:hij|zij|ze|er|iemand|die\s+man|die\s+vrouw|die\s+jongens|een\s+man|een\s+vrouw|een\s+groep|een\s+stel|"
        r"mensen|demonstranten|betogers|jongeren|jongens|de\s+dader|de\s+groep|de\s+man|de\s+vrouw)")

ACUTE = _rx(
    # somebody is at the door/house now: present tense only ("stond" is not acute)
    r"\b(?:hij|zij|ze|er|iemand|die\s+man|die\s+vrouw|een\s+man|een\s+vrouw|een\s+groep|mensen|de\s+dader)\s+"
    r"(?:staat|staan|zit|zitten|is|zijn|loopt|lopen|komt)\s+(?:\w+\s+){0,5}(?:voor|bij|in|op|rond|om)\s+"
    r"(?:mijn|m'n|ons|onze|het|de)\s+(?:deur|voordeur|huis|tuin|woning|raam|erf|kantoor|stoep|oprit|auto|gang|kamer)\b",
    r"\b(?:ik\s+word|we\s+worden|wij\s+worden)\s+(?:(?!al\b)\w+\s+){0,3}(?:gevolgd|achtervolgd|belaagd|aangevallen|bedreigd)\b",  # not "al weken"
    r"\b(?:hij|zij|ze|iemand)\s+(?:volgt|volgen|achtervolgt)\s+(?:me|mij|ons)\s+(?:nu|op\s+dit\s+moment|al\s+de\s+hele)\b",
    r"\b(?:nu|op\s+dit\s+moment|op\s+dit\s+ogenblik)\b[^.!?]{0,40}\b(?:staat|staan|dreigt|volgt|komt|probeert|slaat|bonkt|beukt|heeft)\b[^.!?]{0,40}\b(?:deur|huis|binnen|mes|wapen|tuin|raam)\b",
    r"\b(?:staat|staan)\b[^.!?]{0,30}\b(?:nu|hier|op\s+dit\s+moment)\b[^.!?]{0,30}\b(?:deur|huis|binnen|mes|wapen|tuin)\b",
    r"\b(?:bonkt|beukt|trapt|bonken|beuken)\s+(?:\w+\s+){0,2}(?:op|tegen)\s+(?:mijn|m'n|de|onze)\s+(?:deur|raam|ramen)\b",
    r"\b(?:hij|zij|ze|iemand)\s+(?:probeert|proberen)\s+(?:\w+\s+){0,3}binnen\s+te\s+komen\b",
    r"\b(?:ik\s+ben|we\s+zijn)\s+(?:nu\s+)?(?:in\s+gevaar|niet\s+veilig)\b",
    r"\b(?:hij|zij|ze|er|iemand|een\s+man|een\s+vrouw)\s+(?:is|zijn|staat|staan)\s+(?:nu\s+|hier\s+)?binnen\b",
    r"\b(?:staat|staan|zit|zitten|loopt|lopen)\b[^.!?]{0,30}\bmet\s+een\s+(?:mes|wapen|pistool|vuurwapen|geweer|knuppel|bijl)\b",
    r"\b(?:heeft|hebben)\s+(?:\w+\s+)?een\s+(?:mes|wapen|pistool|vuurwapen|geweer|knuppel|bijl)\b",
    # told as a story in the present tense: still there, outside, on the way, no safe way out
    _WHO + r"\s+(?:staat|staan|zit|zitten|wacht|wachten|loopt|lopen|rijdt|rijden|hangt|hangen)\s+(?:\w+\s+){0,3}(?:nog\s+steeds|nog\s+altijd|nu\s+al|al\s+een\s+(?:uur|half\s+uur|kwartier|tijdje)|al\s+\d+\s+minuten)\s+"
    r"(?:\w+\s+){0,4}(?:buiten\b|te\s+(?:schreeuwen|roepen|bonken|filmen|loeren)\b|(?:voor|bij|in|op|rond|om|achter)\s+"
    r"(?:de|het|ons|onze|mijn|m'n)\s+(?:deur|voordeur|huis|woning|tuin|hal|gang|auto|raam|oprit|stoep)\b)",
    r"\b(?:staat|staan|wacht|wachten|zit|zitten)\s+(?:\w+\s+){0,3}(?:buiten|beneden|in\s+de\s+hal|in\s+de\s+gang|bij\s+de\s+uitgang|op\s+de\s+parkeerplaats|naast\s+mijn\s+auto)\s+(?:\w+\s+){0,2}(?:op\s+(?:me|mij|ons)|te\s+(?:schreeuwen|wachten|roepen|kijken|filmen))\b",
    r"\b(?:ik|we|wij)\s+(?:durf|durven)\s+(?:\w+\s+){0,2}niet\s+(?:meer\s+)?(?:naar\s+buiten|de\s+deur\s+uit|naar\s+huis|uit\s+te\s+stappen|de\s+auto\s+uit|open\s+te\s+doen)\b",
    r"\b(?:ik|we|wij)\s+(?:weet|weten)\s+niet\s+hoe\s+(?:ik|we|wij)\s+(?:hier\s+)?(?:veilig\s+)?(?:weg\s+(?:kan|kunnen|moeten)|naar\s+buiten|hier\s+weg|thuis\s+(?:kan|kunnen)\s+komen)",
    r"\b(?:ik|we|wij)\s+(?:kan|kunnen)\s+(?:\w+\s+){0,2}niet\s+(?:meer\s+)?(?:veilig\s+)?(?:weg|naar\s+buiten|het\s+huis\s+uit|de\s+deur\s+uit)\b[^.!?]{0,40}\b(?:hij|zij|ze|die|een\s+groep|mensen)\b",
    r"\b(?:ik|we|wij)\s+(?:zit|zitten|ben|zijn)\s+(?:\w+\s+){0,2}(?:opgesloten|verstopt|verschanst|omsingeld)\b",
    r"\b(?:ik|we|wij)\s+(?:heb|hebben)\s+(?:\w+\s+){0,2}(?:ons|me|mij|mezelf|onszelf)\s+(?:\w+\s+){0,2}(?:opgesloten|verstopt|verschanst|ingesloten)\b",
    r"\b(?:hij|zij|ze|iemand|een\s+man|een\s+auto|een\s+scooter)\s+(?:rijdt|rijden|fietst|fietsen|loopt|lopen)\s+(?:\w+\s+){0,4}(?:achter|naast)\s+(?:me|mij|ons|mijn\s+auto)\s+aan\b",
    r"\b(?:bonkt|bonken|bonst|bonzen|beukt|beuken|slaat|slaan|trapt|trappen|rammelt|rammelen|schopt|schoppen|klopt\s+hard|bellen\s+aan)\s+(?:\w+\s+){0,3}(?:op|tegen|aan)\s+(?:de|mijn|m'n|onze|ons)\s+(?:deur|voordeur|raam|ramen|auto)\b",
    r"\b(?:hij|zij|ze|iemand)\s+(?:komt|komen)\s+(?:nu\s+)?(?:op\s+(?:me|mij|ons)\s+af|naar\s+binnen|eraan|de\s+trap\s+op)\b",
    r"\b(?:de\s+)?politie\s+is\s+(?:\w+\s+)?onderweg\b",
    r"^\s*(?:help|hulp)\s*(?:[!.]|$)|\bhelp\s+(?:me|mij|ons)\s*(?:[!]|$)",
)


def is_acute(text: str) -> bool:
    # No negation check here: "ik weet niet wat ik moet doen, hij staat nu voor mijn deur" must
    # get 112. A wrong "bel 112 als u in gevaar bent" costs little; a missed one can cost a lot.
    return bool(ACUTE.search(plain(text)))


# "Now" words: with a D cue in the same message, the danger may be happening now.
NOW = _rx(r"\b(?:nu|op\s+dit\s+moment|op\s+dit\s+ogenblik|op\s+het\s+moment|momenteel|zojuist|nog\s+steeds)\b",
    r"\b(?:is|zijn|staat|staan|zit|zitten|loopt|lopen)\s+(?:hier\s+nog|nog\s+hier)\b")

# Somebody is doing something in the present tense, and the story says "now": "hij roept door de
# brievenbus ... ik ben nu alleen thuis", not "ik ben nog steeds bang" or "nu bedreigt hij mij".
_PRESENT_ACT = _rx(
    r"\b(?:staat|staan|zit|zitten|loopt|lopen|komt|komen|volgt|volgen|wacht|wachten|rijdt|rijden|bonkt|bonken|"
    r"schreeuwt|schreeuwen|roept|roepen|filmt|filmen|belt\s+aan|is\s+hier|zijn\s+hier|is\s+er\s+nog|zijn\s+er\s+nog)\b"
)


def is_happening_now(text: str) -> bool:
    return bool(NOW.search(text) and _PRESENT_ACT.search(text))


PERSISTENT = _rx(
    r"\b(?:bleef|bleven|blijft|blijven)\s+(?:maar\s+|gewoon\s+)?(?:door\w*|schelden|roepen|schreeuwen|bellen|mailen|appen|berichten|terugkomen|komen|herhalen|dreigen|reageren|sturen|posten|staan|hangen)\b",
    r"\b(?:steeds|telkens|keer\s+op\s+keer|herhaaldelijk|voortdurend|constant|continu|aldoor)\b",
    r"\belke\s+(?:dag|week|maand|vergadering|keer)\b",
    r"\b(?:opnieuw|alweer|nog\s+een\s+keer|weer\s+opnieuw)\b",
    r"\b(?:ging|gaat)\s+(?:gewoon\s+)?door\b",
    r"\b(?:hield|houdt)\s+(?:\w+\s+)?niet\s+op\b",
    r"\bna\s+(?:mijn|een|de)\s+waarschuwing\b",
    r"\bal\s+(?:weken|maanden|jaren|\d+\s+keer|een\s+tijd)\b",
    r"\bvoor\s+de\s+(?:tweede|derde|vierde|vijfde|zoveelste|\d+e)\s+keer\b",
)


def is_persistent(text: str) -> bool:
    return bool(PERSISTENT.search(text))


# The other person is a fellow office holder (Alkmaar §1: conduct between office holders falls under the
# gedragscode, not the aggression protocol). A colleague named as the one who acted: the subject of a
# verb of speaking or acting, the agent of a passive ("door een collega"), or the sender ("van een raadslid").
# Words for a fellow office holder. "de wethouder" and "de burgemeester" alone are left out of the
# subject rule: in stories they are mostly the one who was told, threatened or who passed a message on.
_COLLEAGUE = (
    r"(?:collega(?:-\w+)?(?:\s+(?:uit|in|van)\s+de\s+(?:raad|fractie|commissie))?|mede-?raadslid|raadscollega|fractiegeno(?:ot|te)|"
    r"partijgeno(?:ot|te)|fractievoorzitter|fractieleider|oppositie(?:raadslid|lid|partij\w*)?|eenmansfractie|"
    r"(?:een\s+|de\s+)?(?:andere|alle)\s+(?:fracties?|partijen|partij)|"
    r"(?:raadslid|raadsleden|fractievoorzitter|wethouder|commissielid|statenlid)\s+(?:van|uit)\s+(?:de\s+|het\s+|een\s+|mijn\s+|onze\s+)?(?:eigen\s+|andere\s+)?(?:partij|fractie|college|oppositie|coalitie|[a-z]{2,6}\b)|"
    r"(?:de\s+)?(?:mannen|vrouwen|leden)\s+in\s+de\s+raad|"
    r"iemand\s+(?:van|uit)\s+(?:de|een)\s+(?:andere\s+)?(?:fractie|partij|oppositie|coalitie))"
)
# Up to four words between the one who acted and the verb, none of them starting a new clause or a witness's view
# ("ik ben raadslid en een man schold me uit", "een collega zag hoe hij mij duwde").
_GAP = r"(?:(?!(?:en|maar|toen|terwijl|omdat|want|nadat|of|dat|hoe|die|wie|zag|zagen|hoorde|hoorden)\b)[\w'-]+\s+){0,4}"
_OFFICE = r"(?:(?:de|een|die|onze|mijn|m'n)\s+)?(?:wethouder|burgemeester|raadslid)"
# Verbs that are hostile in themselves count as they stand; verbs that also name help or plain talk ("een collega
# noemde het onacceptabel", "greep in", "sloeg alarm", "zei dat ik het moest melden") only when aimed at me.
_AT_ME = r"\s+(?:(?!(?:en|maar|toen|terwijl|omdat|nadat|dat|die|hoe)\b)[^\s.!?]+\s+){0,3}?(?:me|mij|tegen\s+me|tegen\s+mij)\b"
_ACTED = (
    _GAP + r"(?:(?:schold|scholden|scheldt|dreigde|dreigt|beledigde|intimideerde|kleineerde|bespotte|snauwde|snauwt|"
    r"betastte|aanrandde|ging\s+tekeer|viel\s+(?:me|mij)\s+aan|lachte\s+(?:me|mij)\s+uit|toebeet|beet\s+(?:me|mij)\s+toe|"
    r"zat\s+aan)\b|(?:noemde|noemden|noemt|riep|riepen|roept|duwde|sloeg|schreeuwde|brulde|greep|zei|zeiden|zegt|"
    r"schreef|appte|tweette|twitterde|postte|fluisterde|siste|mompelde)" + _AT_ME + r"|"
    r"(?:mompelde|siste|fluisterde|zei|schreef|tweette|postte)\s+[^.!?]{0,60}?\bover\s+(?:me|mij)\b|"
    # quoted words that speak to me: "zei op de partijbijeenkomst 'dan ben jij net zo'n fascist'"
    r"(?:zei|zegt|riep|schreef|appte|tweette|postte|mompelde|siste)\s+[^.!?'\"‘“]{0,50}['\"‘“][^'\"’”]{0,80}?\b(?:jij|jou)\b)"
)
# A fellow office holder named as doing something to me: the subject of an aggressive verb aimed at me.
_OFFICE_ACTED = (
    _GAP + r"(?:schold|scheldt|noemde|noemt|dreigde|dreigt|duwde|sloeg|beledigde|intimideerde|kleineerde|"
    r"bespotte|snauwde|betastte|aanrandde|viel\s+(?:me|mij)\s+aan|lachte\s+(?:me|mij)\s+uit)\s+(?:me|mij)\b"
)
COLLEAGUE = _rx(
    r"\b" + _COLLEAGUE + r"\s+" + _ACTED,
    r"\b" + _OFFICE + r"\s+" + _OFFICE_ACTED,
    r"\b(?:bedreigd|uitgescholden|beledigd|betast|geïntimideerd|gekleineerd|aangevallen|geduwd|geslagen|aangerand|"
    r"belaagd|gestalkt|bespot|uitgelachen|lastiggevallen)\s+(?:\w+\s+){0,3}?door\s+(?:een|mijn|m'n|de|die|onze)?\s*(?:"
    + _COLLEAGUE + r"|" + _OFFICE + r")\b",
    r"\b(?:berichte?n?|mail|mails|appje|appjes|sms|opmerking\w*|dm|tweets?|sneer\w*|toespeling\w*)\s+van\s+(?:een|mijn|m'n|de|die|onze)?\s*(?:" + _COLLEAGUE + r"|" + _OFFICE + r")\b",
    r"\b(?:aangifte|klacht|melding)\s+(?:\w+\s+){0,3}tegen\s+(?:een|mijn|m'n|de|die|onze)?\s*(?:" + _COLLEAGUE + r"|" + _OFFICE + r")\b",
)
# Not a colleague who acted: told to one, supported by one, a message passed on by one, or denied.
_COLLEAGUE_NOT = _rx(
    r"\b(?:aan|met|bij|naar)\s+(?:de|een|mijn|m'n|onze)\s+(?:collega|fractiegenoot|burgemeester|wethouder|fractievoorzitter)\w*\s*(?:gemeld|verteld|gesproken|gepraat|gebeld|gegaan|vertellen|[.,!?]|$)",
    r"\b(?:collega|collega's|fractiegenoten)\s+(?:\w+\s+){0,2}(?:steunden|steunen|hielpen|helpen|troostten|waren\s+er|stonden\s+achter|zeggen|zeiden)\b",
    r"\b(?:wethouder|burgemeester|collega)\s+(?:belde|vertelde|liet\s+weten|meldde)\b[^.!?]{0,40}:",
    r"\bniet\s+(?:door|van)\s+(?:een|mijn|m'n|de)?\s*(?:collega|raadslid|wethouder|burgemeester|fractiegenoot)",
    r"\b(?:publieke\s+tribune|inspreker\w*|toehoorder\w*|omwonende\w*)\b",
    # a resident or a stranger in the sentence ("... nadat een boze inwoner me bedreigde"); not inside an insult
    # ("noemde mij een man-wijf")
    r"(?<!mij )(?<!me )(?<!voor )(?<!als )\b(?:een|die|de|deze)\s+(?:[\w]+\s+)?(?:inwoner|bewoner|burger|buurman|"
    r"buurvrouw|man|meneer|mevrouw|onbekende|afzender|beller|jongen|jongens|stalker|dader|demonstrant\w*|"
    r"actievoerder\w*|bezoeker|kerel|vent)\b(?!-)",
)


def is_colleague(text: str) -> bool:
    """True when the story says the other person is a fellow office holder, not a resident."""
    return any(COLLEAGUE.search(s) and not _COLLEAGUE_NOT.search(s) for _, s in _sentences(text))


_MEDIA = [
    ("social_media", _rx(r"\b(?:facebook|twitter|instagram|tiktok|linkedin|youtube|telegram|social\s*media|sociale\s+media|tweet\w*|dm|post|reactie\s+onder|online|internet|op\s+x)\b")),
    ("message", _rx(r"\b(?:whatsapp|app|appje|appjes|sms|signal|berichtje\w*)\b")),
    ("email", _rx(r"\b(?:e-?mail\w*|mailtje\w*|mailde|gemaild|mail|mails)\b")),
    ("letter", _rx(r"\b(?:brief|briefje|kaart|anonieme\s+brief)\b")),
    ("phone", _rx(r"\b(?:belde|gebeld|telefoon\w*|telefonisch|aan\s+de\s+lijn|voicemail)\b")),
    ("face_to_face", _rx(r"\b(?:markt|straat|stadhuis|raadzaal|vergadering|deur|balie|supermarkt|bijeenkomst|in\s+het\s+gezicht|face\s*to\s*face|persoonlijk|op\s+bezoek|spreekuur)\b")),
]
ONLINE_MEDIA = {"social_media", "message", "email"}


def medium(text: str) -> str | None:
    """How it happened (face to face, phone, e-mail, social media, ...); not the messenger used to tell us."""
    for name, pattern in _MEDIA:
        if pattern.search(text):
            return name
    return None
