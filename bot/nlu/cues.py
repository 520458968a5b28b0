"""Cue rules for the ABCD model: the words in a story that show what kind of behaviour it was.

Pure Python (no Rasa), so the Rasa server's NLU component and the tests both use it.

Only C and D cues are *strong*: they can raise the category the statistical model chose, because
the protocols say the heaviest behaviour counts and missing a threat is the worst error
(Leiden ch. 4; Nijmegen table). A and B are never forced by a word: "jullie" or shouting does not
make a story B, the direction of the whole story does, so those are left to the trained model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


_YOU = r"(?:je|jij|jou|u|jullie|ze|hem|haar|mij|me)"
_TARGET = r"(?:je|jij|jou|u|jullie|je kinderen|jouw kinderen|je vrouw|je man|je gezin|je familie)"
_PROPERTY = r"(?:stadhuis|gemeentehuis|raadhuis|huis|gebouw|tent|boel|kantoor|auto)"  # "... gaat de lucht in"

# D: threats, intimidation, stalking, doxing, sexual intimidation, physical violence, vandalism.
_D_RULES: list[tuple[str, re.Pattern]] = [
    (
        "bedreiging",
        _rx(
            r"\b(?:ik|we|wij)\s+(?:weet|weten)\s+(?:heus\s+|precies\s+|ook\s+)?waar\s+" + _TARGET + r"\s+(?:woont|wonen|woon|slaapt|werkt|op school)",
            r"\bweet\s+(?:precies\s+)?waar\s+(?:je|jij|u|jullie)\s+(?:woont|wonen)",
            r"\b(?:hij|zij|ze|iemand)\s+(?:\w+\s+)?(?:weet|weten)\s+(?:\w+\s+)?waar\s+(?:ik|wij|we|mijn\s+\w+)\s+(?:woon|wonen|woont|slaap|werk|op\s+school)",
            r"\b(?:maak|maken|sla|slaan|schiet|schieten|steek|steken|pak|pakken|krijg|krijgen|trap|trappen)\s+"
            + _YOU + r"\s+(?:nog\s+)?(?:wel\s+)?(?:af|dood|kapot|neer|lek|in elkaar|in mekaar|verrot|bont\s+en\s+blauw|te grazen)\b",
            r"\b(?:ik|we|wij|hij|zij|ze)\s+(?:\w+\s+){0,2}(?:je|jou|u|me|mij|hem|haar|jullie)\s+(?:\w+\s+)?(?:kapot|dood|af)\s*(?:maakt|maken|maak|maakte)\b",
            r"\b(?:je|jij|u)\s+(?:gaat|gaan)\s+(?:er\s*aan|eraan|dood|boeten|hangen)",
            r"\b(?:gaat|gaan)\s+eraan\b(?!\s+(?:werken|doen|denken|beginnen))",  # "de burgemeester gaat eraan"
            r"\bmoet(?:en)?\s+(?:\w+\s+){0,2}(?:dood|opgehangen|doodgeschoten|neergeschoten|afgemaakt|geëxecuteerd|geexecuteerd)\b",
            # a call to kill a person, with "worden" ("zij zou gedood moeten worden", "dat ik opgehangen moet
            # worden"; not the reportative "bij het ongeluk zou een fietser gedood zijn"; culling animals is said
            # with "afgeschoten", "geruimd", "afgeslacht" or "vergast", which these leave out)
            r"\b(?:moet|moeten|zou|zouden)\s+(?:\w+\s+){0,2}(?:gedood|gelyncht)\s+(?:\w+\s+)?worden\b",
            r"\b(?:gedood|gelyncht|opgehangen|neergeschoten|afgemaakt|geëxecuteerd|geexecuteerd)"
            r"\s+(?:moet|moeten|zou|zouden)\s+(?:\w+\s+)?worden\b",
            # "ik zal alle tegenstanders zoals jij afslachten", "ze gaan jullie lynchen" (a person spoken to; not
            # "we gaan die motie afslachten")
            r"\b(?:jij|jou|je|jullie|u)\b[^.!?]{0,30}\b(?:afslachten|lynchen)\b",
            r"\bkopje\s+kleiner\b",
            r"\bstrop\b",
            r"\b(?:ik|we|wij)\s+(?:weet|weten)\s+(?:\w+\s+)?waar\s+(?:hij|zij|ze|die|de\s+\w+)\s+(?:woont|wonen|slaapt)\b",
            r"\b(?:je|jou|u|me|mij|hem|haar|jullie)\s+(?:kapot|dood|af)\s+(?:zou|zal|zullen|gaat|gaan|ga)\s+maken\b",
            r"\bje\s+bent\s+de\s+volgende\b",
            r"\b(?:kijk\s+(?:maar\s+)?(?:goed\s+)?uit|pas\s+(?:maar\s+)?(?:goed\s+)?op)\b(?![^.!?]{0,20}\b(?:met|voor)\s+(?:de|het)\b)",
            r"\bzou\s+(?:ik\s+)?(?:maar\s+)?(?:goed\s+)?oppassen\b",
            r"\bdat\s+(?:gaat|zal)\s+(?:je|u)\s+(?:nog\s+)?(?:op)?breken\b",
            r"\b(?:je|jij|u)\s+(?:weet|weten)\s+niet\s+wat\s+(?:je|jou|u|er)\s+(?:nog\s+)?(?:gaat|zal|te\s+wachten)",
            r"\b(?:je|jou|u|jullie|hem|haar|ze|me|mij)\s+(?:nog\s+|wel\s+|even\s+)*afmaken\b",  # not "je opleiding afmaken"
            r"\b(?:vermoord|vermoorden|vermoorde|doodmaken|dood\s*maken|opknopen|neerschieten|neersteken|onthoofd\w*)\b",
            r"\b(?:je|jou|u|jullie|hem|haar)\s+(?:\w+\s+){0,2}ophangen\b",  # not "een vlag ophangen"
            r"\btegen\s+de\s+muur\b",
            r"\b(?:koppen|hoofden)\s+(?:\w+\s+){0,2}rollen\b",
            r"\blaatste\s+waarschuwing\b(?![^.!?]{0,80}\b(?:advocaat|rechter|rechtszaak|juridisch\w*))",
            r"\b(?:loopt|lopen|zal)\s+(?:het\s+)?slecht\s+(?:met\s+(?:je|jou|u|jullie)\s+)?af\b",
            # "ik ga je pakken", "dat hij me gaat pakken", "ik krijg je nog wel"
            r"\b(?:ga|gaat|gaan|zal|zullen|kom|komt|komen)\s+(?:je|jou|u|me|mij|hem|haar|jullie)\s+(?:nog\s+)?(?:wel\s+)?(?:pakken|grijpen|halen)\b",
            r"\b(?:je|jou|u|me|mij|hem|haar|ons)\s+(?:\w+\s+){0,2}(?:gaat|gaan|zal|zullen|komt|komen)\s+(?:pakken|grijpen|halen)\b",
            r"\bik\s+krijg\s+(?:je|jou|u|jullie)\s+(?:nog\s+)?wel\b",
            r"\b(?:kom|komen|kwam)\s+(?:ik|we|wij)?\s*(?:je|jou|u)\s+(?:\w+\s+){0,2}opzoeken\b",
            r"\bzul(?:t)?\s+(?:je|jij|u)\s+het\s+(?:nog\s+)?(?:wel\s+)?voelen\b",
            r"\b(?:kogel|kogels|bom|bommen|molotov\w*)\b",
            # "aanslag" is also a tax assessment and a figure of speech ("aanslag op de vrijheid")
            r"\b(?:aanslag\s+plegen|aanslag\s+op\s+(?:je|jou|jouw|u|uw|mijn|ons|het|de)\s+(?:leven|huis|woning|gezin|gemeentehuis|stadhuis|raadhuis))\b",
            r"\b(?:in\s+de\s+fik|in\s+brand)\s+(?:\w+\s+){0,2}(?:steken|zetten|gestoken|gezet)\b",
            r"\b(?:brandstichting|fik\s+steken)\b",
            r"\b(?:mes|messen|pistool|vuurwapen|geweer|wapen)\b",
            r"\b(?:bedreig\w*|gedreigd|dreigde\w*|dreigt|dreigen|doodsbedreiging\w*|dreigbrief\w*|dreigmail\w*|dreigement\w*)\b"
            # "haar baan dreigt te verliezen": at risk of, not a threat
            r"(?!\s+(?:nergens|niet|niks|niets)\s+mee\b)"
            r"(?![^.!?]{0,40}\bte\s+worden\b)"
            r"(?!\s+(?:\w+\s+){0,2}(?:te\s+(?:verliezen|worden|gaan|sluiten|verdwijnen|mislukken|raken|vallen|komen|lopen)|kwijt))"
            r"(?![^.!?]{0,25}\b(?:klacht|rechtszaak|rechter|advocaat|pers|media|krant|bezwaar|ombudsman|handtekening\w*|verkiezingen|petitie|juridische|procedure|stemmen|opzeggen))",
            r"\bweet\s+(?:ik\s+)?(?:ook\s+)?waar\s+(?:je|jouw|uw)\s+(?:kinderen|kind|vrouw|man|dochter|zoon)",
            # "we weten waar je kinderen naar school gaan", "ze weten waar jullie dochter sport"
            r"\b(?:weet|weten|wist|wisten)\s+(?:(?!niet\b|geen\b|nooit\b)\w+\s+){0,2}waar\s+(?:je|jij|jouw|u|uw|jullie)\s+(?:\w+\s+){0,2}(?:woont|wonen|werkt|werken|slaapt|slapen|sport|sporten|naar\s+school|op\s+school|zit|zitten|uithangt|uithangen|loopt|lopen|parkeert)\b",
            # "mensen die weten wat ze met je moeten doen", "jongens die wel weten wat ze met je moeten"
            r"\b(?:weten|weet)\s+(?:(?!niet\b|geen\b|nooit\b)\w+\s+){0,2}wat\s+(?:ze|hij|we|wij)\s+met\s+(?:je|jou|u|jullie|haar|hem|mij|me)\s+(?:moeten|moet|gaan|zullen|willen)\b",
            # a bullet, a dead animal or a coffin left as a message
            r"\b(?:dode|dood|onthoofde|opgehangen|gevilde)\s+(?:kat|kip|rat|ratten|vogel|duif|konijn|vis|hond|dier|dieren|varken\w*|big|haan)\b"
            r"[^.!?]{0,60}\b(?:deur|voordeur|stoep|brievenbus|post|pakket|doos|oprit|auto|tuin|drempel|mat)\b",
            r"\b(?:voor|op|in|bij)\s+(?:de|mijn|m'n|onze|ons)\s+(?:deur|voordeur|stoep|brievenbus|oprit|drempel|mat)\b[^.!?]{0,40}\b(?:dode|dood|onthoofde|gevilde)\s+\w+",
            r"\b(?:kogelhuls\w*|patroonhuls\w*)\b",
            r"\b(?:strop|galg|lijkkist|doodskist|lijkzak)\s+(?:\w+\s+){0,3}(?:voor|naar)\s+(?:jou|je|u|hem|haar|jullie|mij|me)\b",
            # "een kogel door je kop", "jaag ik een kogel door zijn hoofd" (kogel is already a cue); death wished on the person
            r"\b(?:verdien|verdient|verdienen)\s+(?:het\s+)?(?:\w+\s+)?(?:dood|kogel|te\s+sterven|opgehangen)\b",
            r"\b(?:overhoop|neer|kapot)\s*(?:schieten|steken|knallen|slaan|geschoten|gestoken)\b",
            r"\b(?:knal|knallen|schiet|schieten|jaag|jagen)\s+(?:ik\s+|we\s+)?(?:je|jou|u|hem|haar|jullie)\s+(?:\w+\s+){0,2}(?:neer|overhoop|dood|kapot|door\s+(?:je|zijn|haar)\s+(?:kop|hoofd))\b",
            r"\b(?:je|jou|u|hem|haar|jullie|ze|mij|me)\s+(?:\w+\s+){0,2}(?:omleggen|om\s+zeep\s+helpen|koud\s+maken|uit\s+de\s+weg\s+ruimen)\b",
            r"\bafrekenen\s+met\s+(?:je|jou|u|hem|haar|jullie|die\s+\w+)\b",
            r"\b(?:ik|we|wij)\s+(?:\w+\s+){0,2}(?:je|jou|u|hem|haar|jullie)\s+(?:\w+\s+){0,3}(?:om\s*leggen|omleggen|wurgen|verzuipen|verdrinken|in\s+elkaar\s+(?:slaan|trappen|rammen)|de\s+nek\s+omdraaien|de\s+keel\s+doorsnijden)\b",
            r"\b(?:nek\s+omdraaien|keel\s+doorsnijden|kop\s+eraf|kop\s+inslaan|hoofd\s+inslaan|hersens\s+inslaan|benen\s+breken)\b",
            # the home or car set on fire, told actively ("stak mijn auto in brand") or passively
            r"\b(?:steek|stak|staken|steekt|steken|zet|zette|zetten)\s+(?:\w+\s+){0,6}(?:huis|woning|auto|wagen|deur|voordeur|schuur|gemeentehuis|stadhuis|raadhuis|tent|boel|kantoor|caravan|winkel|zaak|boerderij)\s+(?:\w+\s+){0,3}in\s+(?:de\s+fik|brand|de\s+hens)\b",
            r"\b(?:autobrand|brandbom\w*|vuurwerkbom\w*|beschoten|brandgesticht|brand\s+gesticht)\b",
            r"\b(?:explosie(?:f|ven)?|ontploffing|zwaar\s+vuurwerk)\s+(?:\w+\s+){0,2}(?:bij|aan|voor|tegen|onder|op)\s+(?:ons|onze|mijn|m'n|het|de)\s+(?:huis|woning|deur|voordeur|auto|gevel|raam|tuin|brievenbus)\b",
            r"\ber\s+(?:is|werd|wordt|zijn|werden)\s+(?:\w+\s+){0,3}(?:op|door|naar)\s+(?:ons|onze|mijn|m'n|het|zijn|haar)\s+(?:huis|woning|raam|ramen|deur|voordeur|auto|gevel)\s+(?:\w+\s+){0,2}(?:geschoten|gegooid|gesmeten)\b",
            r"\b(?:op|door|naar)\s+(?:ons|onze|mijn|m'n|het)\s+(?:huis|woning|raam|ramen|deur|voordeur|auto|gevel)\s+(?:\w+\s+){0,2}(?:geschoten|gegooid|gesmeten)\b",
            r"\b(?:je|jouw|uw)\s+(?:kinderen|dochter|zoon|vrouw|man|gezin)\s+(?:zijn|is)\s+(?:niet\s+)?(?:veilig|de volgende)",
            # Veiled threats: common Dutch idioms that promise harm without naming it.
            r"(?<!\bik\s)(?<!\bwe\s)(?<!\bwij\s)\bwacht\s+(?:jij\s+|u\s+|jullie\s+)?(?:maar|maar\s+eens)\s+af\b",
            r"\blesje\s+(?:\w+\s+){0,2}leren\b",
            r"\b(?:krijgt|krijg|krijgen|zal\s+krijgen)\s+(?:je|jij|u|jullie)?\s*(?:nog\s+)?(?:wel\s+)?wat\s+(?:je|jij|u|jullie)\s+(?:verdient|verdienen|toekomt)\b",
            r"\b(?:berouwen|spijt\s+van\s+krijgen|gaat\s+(?:je|u)\s+(?:nog\s+)?spijten|komt\s+(?:je|u|jullie)\s+(?:nog\s+)?duur\s+te\s+staan)\b",
            r"\b(?:we|wij|ik)\s+(?:weten|weet)\s+(?:je|jou|u|jullie)\s+(?:wel\s+)?te\s+vinden\b",
            r"\banders\s+(?:merk|merkt|merken|zie|ziet|zien|voel|voelt|voelen)\s+(?:je|jij|u|jullie|ze|hij|zij)\s+(?:het|dat)\s+(?:nog\s+)?wel\b",
            r"\bongelukje\s+(?:\w+\s+){0,3}(?:gebeuren|overkomen|zitten|krijgen)\b",
            r"\b(?:eindigen|eindig|eindigt|belanden|beland)\s+(?:\w+\s+){0,2}(?:in|op)\s+(?:een|de|het)\s+(?:greppel|sloot|kist|graf|ziekenhuis|kerkhof)\b",
            r"\b(?:zou\s+(?:toch\s+)?zonde\s+zijn|zou\s+jammer\s+zijn)\s+als\s+(?:\w+\s+){0,3}(?:iets|wat)\s+(?:\w+\s+){0,3}(?:gebeurt|overkomt|overkwam|gebeurde)",
            r"\b(?:je|jouw|uw)\s+(?:dagen|tijd)\s+(?:zijn|is)\s+geteld\b",
            r"\b" + _PROPERTY + r"\s+(?:\w+\s+){0,2}(?:gaat|gaan|vliegt|vliegen)\s+(?:\w+\s+){0,2}de\s+lucht\s+in\b",
            r"\blet\s+maar\s+(?:goed\s+)?op\s+(?:je|jullie|uw|jouw)\s+(?:hond|kat|huisdier\w*|kinderen|kind|dochter|zoon|vrouw|man|gezin|huis|auto)\b",
            r"\b" + _PROPERTY + r"\s+(?:\w+\s+){0,2}(?:opblazen|opblaast|opgeblazen)\b",
            r"\blet\s+(?:jij\s+|u\s+)?maar\s+op\b",
        ),
    ),
    (
        "intimidatie",
        _rx(
            r"\bintimid\w*",
            r"\b(?:ik|we|wij)\s+(?:word|werd|ben|zijn|worden|werden)\s+(?:\w+\s+){0,4}?ge[iï]ntimideerd\b",  # session 18
            r"\b(?:kwam|kwamen|ging|gingen)\s+(?:heel\s+|vlak\s+|vreselijk\s+)?(?:dicht(?:\s*bij)?|vlak\s+voor\s+(?:me|mij))\s*(?:bij\s+)?(?:me|mij)?\s*(?:staan)?",
            r"\b(?:omsingeld|ingesloten|klem\s+gezet|de\s+weg\s+versperd|versperde\s+(?:me|mij)\s+de\s+weg)\b",
            r"\bdreigend\w*\b",
            # mobilising followers against one person (Nunspeet ch. 7: online campaigns)
            r"\b(?:roept|riep|riepen|roepen)\s+(?:zijn|haar|hun|de)\s+(?:volgers|achterban|aanhangers|fans)\s+op\s+(?:om\s+)?(?:hetzelfde|mij|me|hem|haar)\b",
        ),
    ),
    (
        "stalking",
        _rx(
            # past participles too ("ik word gestalkt", "ik word belaagd", "opgewacht bij mijn huis": session 18)
            r"\b(?:stalk\w*|gestalk\w*|achtervolg\w*|hinderlijk\s+volg\w*)\b",
            r"\b(?:ik|we|wij)\s+(?:word|werd|ben|zijn|worden|werden)\s+(?:\w+\s+){0,4}?belaagd\b",
            r"\bbelaag(?:t|de|den)\s+(?:me|mij|ons)\b",
            r"\bopgewacht\s+(?:\w+\s+){0,3}(?:bij|voor|op)\s+(?:mijn|m'n|ons|onze|haar|zijn)\s+(?:huis|deur|woning|oprit|stoep|werk|school|auto)\b",
            r"\b(?:volgt|volgde|volgden|volgen)\s+(?:me|mij|ons)\b",
            r"\b(?:ik|we|wij)\s+(?:word|werd|ben|worden|werden|zijn)\s+(?:\w+\s+){0,4}gevolgd\b",
            r"\b(?:stond|stonden|staat|staan|wachtte|wachtten|wacht)\s+(?:\w+\s+){0,3}(?:op\s+(?:me|mij)\s+)?(?:bij|voor|op)\s+(?:mijn|m'n|ons|onze)\s+(?:huis|deur|woning|oprit|stoep|werk|school)\b",
            r"\bbij\s+(?:mij|me|ons)\s+(?:thuis|aan\s+de\s+deur)\b",
            # waiting for a family member counts the same (Alkmaar ch. 10)
            r"\b(?:wacht|wachtte|wachten|wachtten|stond|stonden|staat|staan)\s+(?:\w+\s+){0,3}op\s+bij\s+(?:mijn|m'n|haar|zijn|hun|ons|onze)\s+(?:huis|deur|werk|school|sportclub|auto)\b",
            r"\b(?:me|mij|haar|hem|mijn\s+\w+)\s+(?:\w+\s+){0,4}(?:opgewacht|opwachten|opwachtte|opwachtten)\b",
            r"\b(?:honderden|tientallen|tig|dozijnen)\s+(?:\w+\s+){0,2}(?:berichten|dm'?s|mails|e-mails|appjes|appberichten|oproepen|telefoontjes)\b(?![^.!?]{0,20}\bvan\s+(?:\w+\s+)?(?:inwoners|bewoners|mensen|burgers|ondernemers|ouders))",
            r"\b(?:belt|belde|belden|appt|appte|appten|stuurt|stuurde|stuurden|mailt|mailde)\s+(?:\w+\s+)?(?:me|mij|ons)\b[^.!?]{0,40}(?:'s\s*|\bs)nachts\b",
            r"\b(?:blijft|bleef|bleven|blijven)\s+(?:\w+\s+){0,2}(?:mailen|bellen|appen|berichten|sturen|reageren|posten|taggen)\b[^.!?]{0,40}\b(?:nadat|terwijl|hoewel|ook\s+al)\b[^.!?]{0,30}\b(?:geblokkeerd|blokkeerde|gevraagd\s+te\s+stoppen|gezegd\s+te\s+stoppen)\b",
            r"\b(?:nieuwe|andere|verschillende|nep)\s*(?:accounts?|mailadressen|e-?mailadressen|nummers?|telefoonnummers?)\b[^.!?]{0,60}\b(?:geblokkeerd|blokkeerde|blokkeren)\b",
        ),
    ),
    (
        "doxing",
        _rx(
            r"\b(?:ge)?dox\w*",
            r"\b(?:mijn|m'n|ons|haar|zijn)\s+(?:huis)?adres\b[^.!?]{0,60}\b(?:online|op\s+internet|gezet|gedeeld|gepost|gepubliceerd|verspreid|rondgestuurd|geplaatst|openbaar|voorgelezen|gelekt)\b",
            r"\b(?:huis|woon|privé)?adressen\b[^.!?]{0,60}\b(?:online|op\s+internet|gedeeld|gepost|gepubliceerd|verspreid|rondgestuurd|geplaatst|openbaar|gelekt)\b",
            r"\b(?:lijst|overzicht)\b[^.!?]{0,80}\b(?:huis|woon|privé)?adressen\b",
            r"\b(?:woont|wonen)\s+(?:op|aan)\s+(?:nummer\s+)?\d+",
            r"\b(?:leest|lezen|las|lazen)\b[^.!?]{0,40}\b(?:huis)?adres\s+voor\b",
            r"\b(?:gedeeld|gepost|gepubliceerd|verspreid|geplaatst|online\s+gezet)\b[^.!?]{0,60}\b(?:mijn|m'n|ons)\s+(?:huis)?adres\b",
            r"\b(?:foto'?s?|filmpje)\s+van\s+(?:mijn|m'n|ons)\s+(?:huis|woning|voordeur|kinderen)\b",
            r"\b(?:mijn|m'n)\s+(?:privé\s*)?(?:telefoon)?nummer\b[^.!?]{0,40}\b(?:gedeeld|gepost|gepubliceerd|verspreid|online)\b",
        ),
    ),
    (
        "seksuele_intimidatie",
        _rx(
            r"\bseksu\w*(?!\s+(?:geaardheid|voorkeur|oriëntatie))",
            r"\b(?:betast\w*|aangerand|aanranding|verkracht\w*|begrapst|onzedelijk\w*)\b",
            r"\b(?:dickpic\w*|naaktfoto\w*|piemel|borsten|ondergoed|lingerie|geil\w*|sexy|lekker\s+ding)\b",
            r"\b(?:in\s+bed|met\s+(?:me|mij)\s+naar\s+bed|hijgen|hijgde|kusgeluid\w*|likte\s+(?:zijn|z'n)\s+lippen)\b",
            r"\b(?:in|op)\s+(?:mijn|m'n)\s+(?:billen|kont|borst|borsten)\b",
            r"\bongewenst\s+aan\w*\b",
            r"\b(?:kontje|tieten|decollet\w*)\b",
            r"\b(?:neuk\w*|geneukt|pijpbeurt|beffen|afrukken|aftrekken|rukken\s+op|klaarkomen|sperma|naaktbeeld\w*|naaktfilm\w*|deepfake\s*porno\w*|nepporno\w*)\b",
            r"\b(?:me|mij|hem)\s+(?:\w+\s+)?pijpen\b|\b(?:je|jou|u|haar)\s+(?:\w+\s+)?uitkleden\b",
            r"\b(?:wat\s+ik\s+met\s+(?:je|jou|u|haar)\s+zou\s+doen|met\s+(?:je|jou|haar)\s+(?:naar\s+bed|het\s+bed\s+in)|je\s+(?:even\s+)?flink\s+pakken)\b",
            r"\b(?:droom|droomde|fantaseer|fantaseert|fantaseerde)\s+(?:\w+\s+){0,2}(?:van|over)\s+(?:u|jou)\b",
            r"\bwat\s+(?:ze|hij|zij|mannen)\s+(?:allemaal\s+)?met\s+(?:mij|me|haar)\s+(?:zouden|zou)\s+(?:willen\s+)?doen\b",
            r"\b(?:hoeveel|wat)\s+(?:\w+\s+){0,2}(?:kost|kosten|vraag|vraagt)\b[^.!?]{0,30}\bnacht(?:je)?\b",
        ),
    ),
    (
        "fysiek_geweld",
        _rx(
            r"\b(?:sloeg|slaat|schopte|schopt|stompte|duwde|duwt|trok)\s+(?:me|mij|hem|haar|ons|mijn|m'n|tegen|aan\s+(?:me|mij|mijn))\b",
            r"\b(?:geslagen|geschopt|gestompt|geduwd|omver\s*geduwd|neergeslagen)\b",
            r"\b(?:me|mij|hem|haar|ons|mijn\s+\w+|m'n\s+\w+)\b[^.!?]{0,30}\b(?:sloeg|sloegen|schopte|schopten|stompte|duwde|duwden)\b",
            r"\b(?:spuugde|spuwde|spuugt|bespuugd|bespuwd|gespuugd|spuug|spuwen|spugen)\b",
            r"\b(?:greep|grijpt|gegrepen|vastgepakt|vastgegrepen|beetgepakt|pakte\s+(?:me|mij)\s+(?:vast|beet))\b",
            r"\b(?:gooide|gooit|smeet|smijt|gegooid|gesmeten)\b[^.!?]{0,40}\b(?:naar|tegen|op|over)\s+(?:me|mij|mijn|m'n|ons|onze|mijn\s+\w+)\b",
            r"\b(?:gaf|gaven|geeft)\s+(?:me|mij|hem|haar)\s+(?:een\s+)?(?:duw|klap|stoot|schop|trap|por|kopstoot|vuistslag)\b",
            r"\b(?:me|mij|hem|haar|ons|raadslid|wethouder|burgemeester|bode|agent)\s+(?:een\s+)?(?:\w+\s+)?(?:klap|duw|schop|trap|stoot|kopstoot|vuistslag)\s+(?:\w+\s+){0,2}gegeven\b",
            r"\b(?:mishandeld|mishandelde\s+(?:me|mij|hem|haar)|klap\s+gegeven|kopstoot|vuistslag|aangevallen|aanval\s+op\s+(?:me|mij))\b",
            r"\b(?:tegen\s+de\s+grond|op\s+de\s+grond\s+gewerkt)\b",
            # "wilde ons als college te lijf", "ging hem te lijf" (not "de armoede te lijf gaan": a person only)
            r"\b(?:ging|gingen|gaat|gaan|wilde|wilden|wou|wouden|kwam|kwamen)\s+(?:\w+\s+)?(?:me|mij|ons|hem|haar|jullie|jou|u)"
            r"\s+(?:als\s+\w+\s+)?te\s+lijf\b",
            r"\b(?:trok|trokken)\s+(?:\w+\s+){0,2}(?:hard|ruw|hardhandig)\s+aan\s+(?:mijn|m'n|haar|zijn)\s+\w+",
            r"\b(?:rukte|rukten|sjorde)\s+(?:\w+\s+){0,2}aan\s+(?:mijn|m'n|haar|zijn)\s+\w+",
            # an object or a body part that reached the person: "een fles tegen mijn hoofd", "een vuist in mijn gezicht"
            r"\b(?:tegen|in|op|naar)\s+(?:mijn|m'n|haar|zijn|het|je|jouw)\s+(?:hoofd|kop|gezicht|neus|oog|ogen|kaak|mond|lip|borst|rug|buik|nek|keel|been|benen|arm|armen|schouder|knie)\b[^.!?]{0,30}\b(?:gegooid|gesmeten|geslagen|geschopt|getrapt|gestompt|geraakt|gekregen|gekomen)\b",
            r"\b(?:gooide|gooiden|smeet|smeten|sloeg|sloegen|schopte|schopten|trapte|trapten|stompte|stompten|raakte|raakten|ramde|ramden|beukte)\b[^.!?]{0,40}\b(?:tegen|in|op)\s+(?:mijn|m'n|haar|zijn|het)\s+(?:hoofd|kop|gezicht|neus|oog|kaak|mond|borst|rug|buik|nek|keel|been|arm|schouder)\b",
            r"\b(?:met|door)\s+(?:een|zijn|haar|z'n)\s+(?:vuist|vuisten|elleboog|knie|knuppel|stok|fles|bierflesje|steen|stoel|paraplu|tas|helm|riem|hamer|honkbalknuppel|boxbeugel)\b[^.!?]{0,40}\b(?:geslagen|sloeg|raakte|geraakt|gegooid|gooide|aangevallen|gestompt|stompte)\b",
            r"\b(?:sloeg|slaat|stompte|stompt|schopte|schopt|trapte|trapt|wurgde|wurgt|beet|bijt|krabde|duwde|duwt|trok|rukte)\s+(?:me|mij|hem|haar|ons|mijn\s+\w+|m'n\s+\w+)\b(?!\s+(?:toe|aan|uit)\b)",
            r"\b(?:in\s+(?:mijn|m'n)\s+gezicht\s+(?:gespuugd|geslagen|gestompt))\b",
        ),
    ),
    (
        "vernieling",
        _rx(
            r"\b(?:vernield|vernielde|vernielen|vernieling\w*|kapotgeslagen|ingegooid|ingeslagen|bekrast|beklad\w*|besmeurd)\b",
            r"\b(?:banden|band)\s+(?:lek\s*gestoken|doorgestoken)\b",
            r"\bgraffiti\b",
            r"\bverf\s+(?:op|over|tegen)\b",
            r"\b(?:ruit|ruiten|raam|ramen)\b[^.!?]{0,30}\b(?:kapot|ingegooid|ingeslagen|gesneuveld)\b",
            r"\b(?:omgetrapt|omvergetrapt|kapot\s*getrapt|kapot\s*gegooid|verbogen|lekgestoken|opengesneden)\b",
            r"\b(?:trapte|trapten|schopte|schopten)\s+(?:\w+\s+){1,5}(?:om|omver|kapot)\b",  # not "gooide het roer om"
            r"\b(?:gooide|gooiden|smeet|smeten|trapte|trapten|schopte|schopten)\b[^.!?]{0,40}\bdoor\s+(?:de|het|een|mijn|m'n|onze|ons)\s+(?:\w+\s+)?(?:ruit|raam|deur|glas|etalage)\b",
        ),
    ),
]

_INSULTS = (
    r"idioot|idioten|klootzak\w*|lul|eikel|sukkel|debiel\w*|hoer|slet|trut|wijf|heks|kutwijf|"
    r"kanker\w*|tering\w*|tyfus\w*|mongool|landverrader\w*|verrader\w*|volksverrader\w*|oplichter\w*|leugenaar\w*|"
    r"dief|dieven|boef|crimineel|criminelen|fascist\w*|nazi\w*|clown\w*|loser\w*|zakkenwasser\w*|nietsnut\w*|"
    r"profiteur\w*|zakkenvuller\w*|hypocriet\w*|lafaard\w*|hufter\w*|tokkie\w*|aap|apen|varken\w*|kakkerlak\w*|"
    r"parasiet\w*|uitvreter\w*|viezerik\w*|smeerlap\w*|schoft\w*|rat|ratten|stuk\s+vuil|stuk\s+stront|"
    r"randdebiel\w*|achterlijk\w*|domme\s+\w+|stomme\s+\w+|vuile\s+\w+|vieze\s+\w+|smerige\s+\w+|"
    r"waardeloze?|waardeloos|incompetent\w*|marionet\w*|leugenachtig\w*|corrupte?|zielig\w*|dom|stom|lelijk\w*"
)

# C: personal verbal aggression, insults, discrimination.
_C_RULES: list[tuple[str, re.Pattern]] = [
    (
        "belediging",
        _rx(
            r"\b(?:jij|je|u)\s+(?:bent|ben|blijft|was)\s+(?:echt\s+|gewoon\s+|zo'?n\s+|toch\s+|ook\s+)?(?:een\s+|de\s+grootste\s+|nog\s+)?(?:echte\s+|vuile\s+|vieze\s+|domme\s+|stomme\s+)?(?:" + _INSULTS + r")\b",
            r"\b(?:noemde|noemt|noemden|genoemd)\s+(?:me|mij|hem|haar)\s+(?:een\s+)?(?:" + _INSULTS + r")\b",
            r"\b(?:uitgescholden|scheldt|schold|scholden|schelden|scheldpartij|scheldwoord\w*|scheldde)\b",
            r"\b(?:beledig\w*|vernederd\w*|vernederen\w*|kleinerend\w*|kleineerde\w*)\b",
            r"\b(?:belachelijk\s+gemaakt|uitgelachen|bespot\w*|treiter\w*)\b",
            r"\b(?:ik\s+(?:word|werd|ben)\s+(?:\w+\s+){0,3}gepest|(?:pest|pestte|pesten)\s+(?:me|mij))\b",
            r"\b(?:vuile|vieze|smerige|domme|stomme|achterlijke|gore)\s+(?:" + _INSULTS + r"|\w+er\b|\w+(?:ster|trut|wijf|hond|zak))",
            r"\b(?:kanker|tering|tyfus)\w*",
            r"\b(?:klootzak|hoer|slet|kutwijf|landverrader|volksverrader|mongool|randdebiel)\w*\b",
        ),
    ),
    (
        "discriminatie",
        _rx(
            r"\bdiscrimin\w*",
            r"\bracis\w*",
            r"\b(?:ga|rot|oprotten)\s+(?:maar\s+)?(?:terug\s+)?(?:op\s+)?naar\s+(?:je|jouw|uw)\s+(?:eigen\s+)?(?:land|landje)\b",
            r"\b(?:jouw|jullie)\s+soort\b",
            r"\b(?:antisemiti\w*|homofob\w*|seksis\w*|transfob\w*|moslimhat\w*)\b",
            r"\b(?:aanrecht|een\s+vrouw\s+hoort|vrouwen\s+horen)\b",
        ),
    ),
]

_NEGATION = re.compile(r"\b(?:geen|niet|nooit|zonder|niks|niets)\b[^.!?,;]{0,25}$|\bniemand\s+(?:is\s+|werd\s+|wordt\s+)?$", re.IGNORECASE)
# "niet bedreigd, maar schold me wel uit": a negation does not reach past "maar"/"wel".
_CLAUSE_BREAK = re.compile(r"\b(?:maar|wel|toch|echter|alleen)\b|[.!?,;:]", re.IGNORECASE)

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

# "Now" words: with a D cue in the same message, the danger may be happening now.
NOW = _rx(r"\b(?:nu|op\s+dit\s+moment|op\s+dit\s+ogenblik|op\s+het\s+moment|momenteel|zojuist|nog\s+steeds)\b",
    r"\b(?:is|zijn|staat|staan|zit|zitten|loopt|lopen)\s+(?:hier\s+nog|nog\s+hier)\b")

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

_MEDIA = [
    ("social_media", _rx(r"\b(?:facebook|twitter|instagram|tiktok|linkedin|youtube|telegram|social\s*media|sociale\s+media|tweet\w*|dm|post|reactie\s+onder|online|internet|op\s+x)\b")),
    ("message", _rx(r"\b(?:whatsapp|app|appje|appjes|sms|signal|berichtje\w*)\b")),
    ("email", _rx(r"\b(?:e-?mail\w*|mailtje\w*|mailde|gemaild|mail|mails)\b")),
    ("letter", _rx(r"\b(?:brief|briefje|kaart|anonieme\s+brief)\b")),
    ("phone", _rx(r"\b(?:belde|gebeld|telefoon\w*|telefonisch|aan\s+de\s+lijn|voicemail)\b")),
    ("face_to_face", _rx(r"\b(?:markt|straat|stadhuis|raadzaal|vergadering|deur|balie|supermarkt|bijeenkomst|in\s+het\s+gezicht|face\s*to\s*face|persoonlijk|op\s+bezoek|spreekuur)\b")),
]
ONLINE_MEDIA = {"social_media", "message", "email"}


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


# How people write when they type fast or quote abuse: masked profanity ("k*t", "k@nker", "kk"),
# stretched letters ("doooood"), leet ("h0er"). Cue rules read the text in its plain spelling.
_MASKED = [
    (re.compile(r"\bk[\*@#\.]+t\b", re.IGNORECASE), lambda m: "kut"),
    (re.compile(r"\bk[a\*@#\.]+nk[e3\*@#\.]+r", re.IGNORECASE), lambda m: "kanker"),
    (re.compile(r"\bkk\b", re.IGNORECASE), lambda m: "kanker"),
    (re.compile(r"\bt[y\*@#]f[u\*@#]s", re.IGNORECASE), lambda m: "tyfus"),
    (re.compile(r"\bh[0o\*@#][e3\*@#]r", re.IGNORECASE), lambda m: "hoer"),
    (re.compile(r"(\w)\1{2,}"), lambda m: m.group(1) * 2),  # "doooood" -> "dood"
]


def plain(text: str) -> str:
    """The text in plain spelling for the cue rules (masked profanity, stretched letters, leet)."""
    text = text.replace("\u2019", "'")  # a phone's apostrophe: "m’n" is "m'n"
    for pattern, replace in _MASKED:
        text = pattern.sub(replace, text)
    return text


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
    rf"\b(?:mijn|m'n|mn|onze)\s+(?:griffier|medewerker\w*|collega\w*|secretaris|assistent\w*|burgemeester|wethouder)\b"
    rf"[^.!?]{{0,40}}?\b{_VICTIM}\b",
    rf"\b{_VICTIM_VERBS}\s+(?:mijn|m'n|mn|onze)\s+(?:griffier|medewerker\w*|collega\w*|secretaris|assistent\w*)\b",
    r"\b(?:mijn|m'n|mn|ons|onze)\s+(?:huis|woning|auto|deur|voordeur|raam|ramen|ruit|ruiten|tuin|brievenbus|adres|oprit|"
    r"stoep|hek|kantoor|gezicht|kinderen|kind|gezin|vrouw|man|dochter|zoon|partner|vriendin|vriend|familie|ouders|"
    r"moeder|vader|broer|zus)\b",
    r"\bbij\s+(?:ons|mij|me)\s+thuis\b",
    r"\b(?:lag|lagen|zat|zaten|hing|hingen|stond|stonden)\s+(?:\w+\s+){0,4}?(?:bij|in|aan|op|voor)\s+(?:de|het|onze|ons|mijn|"
    r"m'n|mn)\s+(?:voordeur|deur|brievenbus|stoep|hek|oprit|tuin|raam)\b",  # "er lag een kogel bij de voordeur"
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
                    if any(s[0] <= span[0] and span[1] <= s[1] for s in found):
                        continue  # already covered by a heavier or longer cue
                    if reported is None:
                        reported = bool(_REPORTED.search(sentence))
                    if category == "D" and firm is None:
                        firm = _is_firm(sentence)
                    found[span] = Cue(text=match.group(0).strip(), kind=kind, category=category,
                                      reported=reported, firm=category == "D" and bool(firm))
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


def is_acute(text: str) -> bool:
    # No negation check here: "ik weet niet wat ik moet doen, hij staat nu voor mijn deur" must
    # get 112. A wrong "bel 112 als u in gevaar bent" costs little; a missed one can cost a lot.
    return bool(ACUTE.search(plain(text)))


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


# Somebody is doing something in the present tense, and the story says "now": "hij roept door de
# brievenbus ... ik ben nu alleen thuis", not "ik ben nog steeds bang" or "nu bedreigt hij mij".
_PRESENT_ACT = _rx(
    r"\b(?:staat|staan|zit|zitten|loopt|lopen|komt|komen|volgt|volgen|wacht|wachten|rijdt|rijden|bonkt|bonken|"
    r"schreeuwt|schreeuwen|roept|roepen|filmt|filmen|belt\s+aan|is\s+hier|zijn\s+hier|is\s+er\s+nog|zijn\s+er\s+nog)\b"
)


def is_happening_now(text: str) -> bool:
    return bool(NOW.search(text) and _PRESENT_ACT.search(text))


def is_persistent(text: str) -> bool:
    return bool(PERSISTENT.search(text))


def medium(text: str) -> str | None:
    """How it happened (face to face, phone, e-mail, social media, ...); not the messenger used to tell us."""
    for name, pattern in _MEDIA:
        if pattern.search(text):
            return name
    return None
