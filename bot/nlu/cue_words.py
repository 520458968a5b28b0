"""The C and D word lists: for each kind of behaviour, the phrases that show it.

A phrase here is only a candidate. Whether it counts in its sentence (negated, a question, a joke, something read
in the news) is decided in nlu/cues.py, and the text is first brought to plain spelling (nlu/spelling.py); the lists
themselves only say which words name a threat, an insult or an act, so they can be read and extended on their own.
"""

from __future__ import annotations

import re


def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


_YOU = r"(?:je|jij|jou|u|jullie|ze|hem|haar|mij|me)"
_TARGET = r"(?:je|jij|jou|u|jullie|je kinderen|jouw kinderen|je vrouw|je man|je gezin|je familie)"
_PROPERTY = r"(?:stadhuis|gemeentehuis|raadhuis|huis|gebouw|tent|boel|kantoor|auto)"  # "... gaat de lucht in"


# Verbs of killing, beating and arson in every form Dutch writes them (issue 9: an explicit threat "worded with a
# verb form or word order the cue lists do not know"). A separable verb comes joined ("ik ga je doodslaan", "dat hij
# me doodslaat"), with "te" ("om hem dood te schieten"), with an auxiliary between ("dat ze hem dood zouden trappen")
# or split, its particle closing the clause ("ik sla die vent dood"). Each row: the particle(s), then the present
# forms, the past forms and the infinitive. Every form needs a person as the object right before the particle (_WHOM):
# "de tijd doodslaan", "een discussie doodslaan", "de raad schoot het plan neer", "de handen in elkaar slaan" and
# "de wolf laten doodschieten" are no threat. Only "in brand" takes any object ("ik steek het in brand"). Not
# generated: the participles ("ik hoop dat je wordt doodgeschoten" is a wish, C; "hij is doodgeschoten" is news),
# "afslachten" ("ze slachtten me af op Twitter"), "afmaken", "ophangen", "opblazen" and "aanvallen", which have rules
# of their own below.
_SLAAN = ("sla|slaat|slaan", "sloeg|sloegen", "slaan")
_STEKEN = ("steek|steekt|steken", "stak|staken", "steken")
_SCHIETEN = ("schiet|schieten", "schoot|schoten", "schieten")
_TRAPPEN = ("trap|trapt|trappen", "trapte|trapten", "trappen")
_SCHOPPEN = ("schop|schopt|schoppen", "schopte|schopten", "schoppen")
_KNALLEN = ("knal|knalt|knallen", "knalde|knalden", "knallen")
_HARM_VERBS = [
    ("dood", _SLAAN), ("dood", _STEKEN), ("dood", _SCHIETEN), ("dood", _TRAPPEN), ("dood", _SCHOPPEN),
    ("dood", ("knuppel|knuppelt|knuppelen", "knuppelde|knuppelden", "knuppelen")),
    ("dood", ("rij|rijd|rijdt|rijden", "reed|reden", "rijden")),
    ("dood", ("martel|martelt|martelen", "martelde|martelden", "martelen")),
    ("neer", _SLAAN), ("neer", _STEKEN), ("neer", _SCHIETEN), ("neer", _KNALLEN), ("neer", _TRAPPEN),
    ("neer", ("maai|maait|maaien", "maaide|maaiden", "maaien")),
    ("af", ("tuig|tuigt|tuigen", "tuigde|tuigden", "tuigen")),
    ("af", ("ros|rost|rossen", "roste|rosten", "rossen")),
    ("af", _KNALLEN),
    ("in elkaar|in mekaar", _SLAAN), ("in elkaar|in mekaar", _TRAPPEN), ("in elkaar|in mekaar", _SCHOPPEN),
    ("in elkaar|in mekaar", ("ram|ramt|rammen", "ramde|ramden", "rammen")),
]
_ARSON = [("in brand|in de fik|in de hens", _STEKEN), ("in brand|in de fik|in de hens", ("zet|zetten", "zette|zetten", "zetten"))]

# The person killed or beaten: a pronoun ("ik schiet je neer", "dat hij me doodslaat"; not a possessive, "je voorstel"),
# or a person or group ("sla die vent dood", "knal die nazi's neer", "ik ga de burgemeester doodschieten"); then only a
# few adverbs before the particle ("ik sla je nog eens helemaal in elkaar").
_WHOM = (r"(?:je|jou|u|hem|haar|jullie|ze|me|mij|ons|hen|"
         r"(?:die|dat|deze|de|een|alle)\s+(?:\w+\s+)?(?:burgemeester|wethouder|raadslid|raadsleden|griffier|politic\w+|"
         r"\w*man|\w*mannen|\w*vrouw|\w*vrouwen|vent|venten|wijf|wijven|gast|gasten|jongen|jongens|meid|meisje|kerel|kind|"
         r"kinderen|mensen|types|lui|\w+ers|\w+aars|\w+'s))\s+(?:(?:nog|wel|even|gewoon|echt|helemaal|eens|ook|zo|maar)\s+){0,3}")
_AUXILIARY = r"(?:zal|zullen|zou|zouden|ga|gaat|gaan|wil|wilt|willen|wilde|wilden|moet|moeten|kan|kunnen|laat|laten)"


def _separable(particle: str, forms: tuple[str, str, str], whom: str | None = _WHOM) -> str:
    """One separable verb: joined, with "te", with an auxiliary, or split with its particle after the object `whom`
    (None: any object of up to six words when split, none needed when joined)."""
    present, past, infinitive = forms
    part = "(?:" + particle.replace(" ", r"\s+") + ")"
    finite = f"(?:{present}|{past})"
    joined = rf"{part}\s*(?:{finite}|te\s+{infinitive}|{_AUXILIARY}\s+{infinitive})\b"
    if whom is None:
        return rf"\b{joined}|\b{finite}\s+(?:[\w'-]+\s+){{0,6}}?{part}\b"
    return rf"\b{whom}{joined}|\b{finite}\s+(?:(?:ik|we|wij|hij|zij|ze)\s+)?{whom}{part}\b"


# a rule of its own at the end of _D_RULES; a cue it finds is firm (nlu/cues.py): it counts whatever the model says
HARM_VERBS = "|".join(
    [_separable(particle, forms) for particle, forms in _HARM_VERBS]
    + [_separable(particle, forms, whom=None) for particle, forms in _ARSON]
    # not separable: one word in every form, with the person before it ("ik ga je verwonden", "ze willen hem lynchen")
    + [
        rf"\b{_WHOM}(?:\w+\s+){{0,2}}?(?:verwond(?:t|en|de|den)?|wurg(?:t|en|de|den)?|lynch(?:t|en|te|ten)?|"
        r"vermink(?:t|en|te|ten)?|executeer(?:t)?|executeren|executeerde(?:n)?)\b"
    ]
)

HARM_RULE = _rx(HARM_VERBS)

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
            # a building blown up, the verb split ("ik blaas dit gebouw op", "om het stadhuis op te blazen")
            r"\b(?:blaas|blaast|blazen|blies|bliezen)\s+(?:\w+\s+){0,3}" + _PROPERTY + r"\s+(?:\w+\s+){0,2}op\b",
            r"\b" + _PROPERTY + r"\s+(?:\w+\s+){0,2}op\s+te\s+blazen\b",
            # a blow announced: "ik sla op je muil", "timmer ik je voor je kop" (not "de wind slaat in je gezicht")
            r"\b(?:(?:ik|we|wij)\s+(?:\w+\s+){0,2}?(?:sla|slaan|timmer|timmeren|ram|rammen|beuk|beuken|mep|meppen)|"
            r"(?:sla|timmer|ram|beuk|mep)\s+(?:ik|we|wij))\s+(?:(?:je|jou|u|hem|haar)\s+)?(?:op|voor|tegen)\s+(?:je|jouw|z'n|zijn|haar)\s+"
            r"(?:muil|bek|smoel|kop|harses|snuit|snufferd|tanden)\b",
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
            r"\bzoek\s+(?:jij\s+|u\s+)?maar\s+(?:alvast\s+)?dekking\b",  # not "een dekking voor dit amendement"
            # "in [mijn dorp] staat je huis toch?": the home named to the person, as a question
            r"\bstaat\s+(?:je|jouw|uw)\s+huis\s*(?:,?\s*(?:toch|tog|niet|hè|he))?\s*\?",
            # "er gaan binnenkort wel wat mensen langs bij je moeder" (not "ik ga morgen even langs bij je moeder")
            r"\b(?:mensen|jongens|vrienden|types|lui|een\s+stel)\s+(?:\w+\s+){0,2}langs\s+(?:\w+\s+){0,2}bij\s+(?:je|jouw|uw|jullie)\s+"
            r"(?:moeder|vader|ouders|kinderen|kind|dochter|zoon|vrouw|man|familie|gezin|huis|woning)\b",
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
            r"\b(?:wacht|wachten|wachtte|wachtten)\s+(?:me|mij|ons|mijn\s+\w+|m'n\s+\w+)\s+(?:\w+\s+){0,4}?op\b(?!\s+(?:de|het|een)\b)",
            # people sent at the person (not "de gemeente stuurt een ambtenaar op me af")
            r"\b(?:stuurt|sturen|stuurde|stuurden)\s+(?:\w+\s+)?(?:mensen|jongens|vrienden|volgers|aanhangers|types|een\s+stel|een\s+groep)\s+"
            r"op\s+(?:me|mij|ons)\s+af\b",
            # a person who keeps showing up in the person's street ("hij rijdt steeds door mijn straat"; not "het
            # vrachtverkeer rijdt dagelijks door onze wijk")
            r"\b(?:hij|zij|ze|iemand|die\s+man|die\s+vrouw|een\s+man|een\s+vrouw)\s+(?:rijdt|rijden|reed|reden|loopt|lopen|liep|liepen|"
            r"hangt|hangen|hing|hingen)\s+(?:\w+\s+)?(?:steeds|telkens|weer|vaak|dagelijks|al\s+(?:dagen|weken|maanden))\s+"
            r"(?:\w+\s+){0,2}?(?:door|in|rond\s+in|rond)\s+(?:mijn|m'n)\s+(?:straat|wijk|buurt|laan)\b",
            r"\b(?:stuurt|stuurde|belt|belde|mailt|mailde|appt|appte)\b[^.!?]{0,60}\b(?:nadat|hoewel|ook\s+al|terwijl)\b"
            r"[^.!?]{0,40}\b(?:hem|haar|hen|ze)\b[^.!?]{0,20}\b(?:geblokkeerd|blokkeerde|blokkeer)\b",
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
            r"\b(?:geslachtsde(?:el|len)|penis\w*|porno\w*)\b",
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
    # last, so that an assault told with these verbs keeps the sub-kind of the physical rules above
    ("bedreiging", HARM_RULE),
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
