"""Pre-fill of the report from the story the user already told (issue 13): the 7 W's of the Alkmaar protocol
(§5: wie, wat, waar, waarmee, op welke wijze, wanneer, waarom), how it reached the user (the medium), and
witnesses and consequences when the story names them.

Every answer found here is shown in the summary, marked as taken from the story, so the user can correct it;
the report form asks only what is still missing. Nothing is guessed beyond what the words say: a field the
story does not name stays empty and is asked.

Dates: Dutch relative expressions ("gisteravond", "vorige week dinsdag", "drie dagen geleden") are turned into
a date here, absolute ones ("12 maart", "28-11") by `dateparser` with Dutch settings."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import dateparser  # type: ignore[import-untyped]

# --- when -------------------------------------------------------------------------------------------------------

WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december"]
_MONTH_ABBR = "jan|feb|mrt|apr|mei|jun|jul|aug|sep|sept|okt|nov|dec"
PARTS = {"ochtend": "'s ochtends", "morgen": "'s ochtends", "middag": "'s middags", "avond": "'s avonds",
         "nacht": "'s nachts"}
NUMBERS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
           "negen": 9, "tien": 10, "paar": 2}
_PART = r"(ochtend|morgen|middag|avond|nacht)"
_DAY = "|".join(WEEKDAYS)
_NUM = r"(\d{1,2}|" + "|".join(NUMBERS) + r")"
DATE_SETTINGS = {"PREFER_DATES_FROM": "current_period", "DATE_ORDER": "DMY", "RETURN_AS_TIMEZONE_AWARE": False}

# Words that show an answer speaks about a time even when no date can be computed from it.
_TIME_WORDS = re.compile(
    r"\b(?:vandaag|net|zojuist|daarnet|zonet|zo-?even|nu|tijdje|terug|gister\w*|eergister\w*|van(?:ochtend|morgen|middag|avond|nacht)|vorige|afgelopen|geleden|week|weken|"
    r"maand|maanden|jaar|dag|dagen|uur|tijdens|na|voor|begin|eind|half|zomer|winter|lente|herfst|kerst|vergadering|"
    r"raadsvergadering|commissie|avond|ochtend|middag|nacht|weekend|" + _DAY + "|" + "|".join(MONTHS) + r")\b"
    r"|\d", re.I)


@dataclass(frozen=True)
class When:
    """A moment found in a text: the words used, the date they mean, the part of the day, a time."""

    phrase: str
    date: datetime | None
    now: datetime
    part: str | None = None  # "'s avonds"
    time: str | None = None  # "20.00 uur"
    vague: bool = False  # a period ("vorige maand", "al 3 weken"): shown in the words used, the date only for the future check

    @property
    def future(self) -> bool:
        return False if self.date is None else self.date.date() > self.now.date()

    def shown(self) -> str:
        """'gisteravond (donderdag 3 december 2026, 's avonds)'."""
        if self.date is None or self.vague:
            return self.phrase
        details = f"{WEEKDAYS[self.date.weekday()]} {self.date.day} {MONTHS[self.date.month - 1]} {self.date.year}"
        details += "".join(f", {x}" for x in (self.part, self.time) if x)
        return details if details.lower().startswith(self.phrase.lower()) else f"{self.phrase} ({details})"


_RELATIVE = [
    (re.compile(rf"\beergister(?:en)?{_PART}?\b", re.I), lambda m, now: (now - timedelta(days=2), m.group(1))),
    (re.compile(rf"\bgister(?:en)?\s*{_PART}?\b", re.I), lambda m, now: (now - timedelta(days=1), m.group(1))),
    (re.compile(r"\bvan(ochtend|morgen|middag|avond|nacht)\b", re.I), lambda m, now: (now, m.group(1))),
    (re.compile(r"\bvandaag\b", re.I), lambda m, now: (now, None)),
    (re.compile(rf"\b{_NUM}\s+(dag|dagen|week|weken|maand|maanden)\s+geleden\b", re.I), None),  # dateparser
    (re.compile(rf"\b(?:al|sinds|nu\s+al)\s+(?:een\s+)?{_NUM}\s+(dag|dagen|week|weken|maand|maanden)\b", re.I), "since"),
    (re.compile(rf"\b(?:(vorige|afgelopen)\s+week\s+|(vorige|afgelopen)\s+)?({_DAY})\s*{_PART}?\b", re.I), "weekday"),
    (re.compile(r"\b(vorige|afgelopen)\s+(week|maand)\b", re.I), None),
    (re.compile(r"\b(?:morgen|overmorgen|volgende\s+(?:week|maand)|over\s+\d+\s+dagen)\b", re.I), None),
]
_ABSOLUTE = re.compile(
    rf"\b\d{{1,2}}\s+(?:{'|'.join(MONTHS)}|{_MONTH_ABBR})\.?(?:\s+\d{{4}})?\b|\b\d{{1,2}}[-/]\d{{1,2}}(?:[-/]\d{{2,4}})?\b", re.I)
_TIME = re.compile(r"\b(?:om|rond|tegen)\s+(?:ongeveer\s+)?(\d{1,2})(?:[.:](\d{2}))?\s*(?:uur|u)?\b|\b(\d{1,2})[.:](\d{2})\s*uur\b", re.I)
_PART_ALONE = re.compile(rf"\b(?:'s\s+)?(ochtends|middags|avonds|nachts)\b|\bin\s+de\s+{_PART}\b", re.I)


def _weekday(m: re.Match, now: datetime) -> tuple[datetime, str | None]:
    last_week = bool(m.group(1))
    day = WEEKDAYS.index(m.group(3).lower())
    back = (now.weekday() - day) % 7
    if last_week:  # "vorige week dinsdag": the dinsdag of the week before this one
        monday_this_week = now - timedelta(days=now.weekday())
        return monday_this_week - timedelta(days=7 - day), m.group(4)
    return now - timedelta(days=back or (7 if m.group(2) else 0)), m.group(4)


def _number_words(text: str) -> str:
    return re.sub(r"\b(" + "|".join(NUMBERS) + r")\b", lambda m: str(NUMBERS[m.group(1).lower()]), text, flags=re.I)


_VAGUE = re.compile(r"\b(?:week|weken|maand|maanden)\b", re.I)  # a period, not one day
# A weekday right before a date names the same day ("dinsdag 24 november"): the date decides.
_WEEKDAY_BEFORE = re.compile(rf"\b(?:{_DAY})\s*,?\s*(?:de\s+)?$", re.I)
_JUST_NOW = re.compile(r"^\s*(?:net|zojuist|daarnet|zonet|zo-?even|nu|vandaag)(?:\s+(?:net|nog|pas|al|eben))?\s*[.!]*\s*$", re.I)


def _absolute(phrase: str, now: datetime) -> datetime | None:
    """A date in words or digits, in the current year when it names none; a date without a year that would lie
    more than two months ahead means last year ("23 december" said in January)."""
    date = dateparser.parse(phrase, languages=["nl"], settings={**DATE_SETTINGS, "RELATIVE_BASE": now})
    if date is not None and not re.search(r"\d{4}|\d[-/]\d{1,2}[-/]\d{2}", phrase) and date - now > timedelta(days=61):
        date = date.replace(year=date.year - 1)
    return date


def parse_when(text: str | None, now: datetime | None = None) -> When | None:
    """The first moment named in the text, or None."""
    if not text:
        return None
    now = now or datetime.now()
    if _JUST_NOW.match(text):  # "net", "zojuist", "nu": today
        return When(text.strip(" .!"), now, now)
    found: tuple[int, str, datetime | None, str | None] | None = None
    date: datetime | None
    part: str | None
    for pattern, resolve in _RELATIVE:
        m = pattern.search(text)
        if not m or (found and found[0] <= m.start()):
            continue
        phrase = m.group(0).strip()
        if resolve == "weekday":
            date, part = _weekday(m, now)
        elif resolve == "since":  # "al twee weken": since that many weeks ago, ongoing
            number = _number_words(re.sub(r"^(?:al|sinds|nu\s+al)\s+(?:een\s+)?", "", phrase, flags=re.I))
            date = dateparser.parse(f"{number} geleden", languages=["nl"], settings={**DATE_SETTINGS, "RELATIVE_BASE": now})
            part = None
        elif resolve is None:
            date = dateparser.parse(_number_words(phrase), languages=["nl"], settings={**DATE_SETTINGS, "RELATIVE_BASE": now})
            part = None
        elif callable(resolve):
            date, part = resolve(m, now)
        else:
            continue
        found = (m.start(), phrase, date, part)
    m = _ABSOLUTE.search(text)
    if m:
        weekday = _WEEKDAY_BEFORE.search(text[:m.start()])
        start = weekday.start() if weekday else m.start()
        if found is None or start <= found[0]:
            date = _absolute(m.group(0), now)
            if date is not None:
                found = (start, text[start:m.end()].strip(), date, None)
    if found is None:
        return None
    _, phrase, date, part = found
    t = _TIME.search(text)
    clock = None
    if t:
        hour, minute = (t.group(1), t.group(2)) if t.group(1) else (t.group(3), t.group(4))
        if int(hour) < 24:
            clock = f"{int(hour)}.{minute or '00'} uur"
    if part is None:
        p = _PART_ALONE.search(text)
        part = (p.group(1) or p.group(2) or "").lower().rstrip("s") if p else None
    shown_part = PARTS.get(part.lower()) if part else None
    return When(phrase, date, now, shown_part, clock, vague=bool(_VAGUE.search(phrase)) and "dag" not in phrase.lower())


def speaks_of_time(text: str) -> bool:
    return bool(_TIME_WORDS.search(text))


# --- medium ---------------------------------------------------------------------------------------------------

# Words (whole words, or word starts where marked with *) that tell how it reached the user, most specific first.
# Online platforms come before "message": "via Facebook Messenger" is social media.
MEDIUM_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("social_media", ("sociale media", "social media", "socials", "facebook*", "fb", "messenger", "twitter*", "tweet*",
                      "getweet", "retweet*", "instagram*", "insta", "tiktok*", "linkedin*", "youtube*", "reddit",
                      "mastodon", "bluesky", "threads", "snapchat", "online", "internet", "forum*", "reactie*",
                      "comment*", "livestream*", "vlog*", "dm", "dm'tje", "dm'de", "x", "x.com", "tijdlijn", "post", "posts", "gepost")),
    ("email", ("mail*", "e-mail*", "email*", "emails", "gemaild", "mailde", "mailtje", "inbox")),
    ("message", ("whatsapp*", "app", "appje", "appjes", "appte", "appten", "geappt", "sms*", "sms'je", "smsje", "signal",
                 "telegram*", "groepsapp*", "bericht", "berichtje", "berichten", "berichtjes", "tekstbericht*", "sms-je")),
    ("phone", ("telefoon*", "telefonisch", "gebeld", "belde", "belden", "bellen", "beller", "belt", "opgebeld", "voicemail",
               "ingesproken", "mobiel")),  # not "nummer": a house number is no phone
    ("letter", ("brief", "brieven", "briefje", "kaart", "kaartje", "ansichtkaart", "envelop*", "brievenbus", "per post",
                "poststuk")),
    ("face_to_face", ("persoonlijk", "face to face", "in het echt", "in persoon", "gezicht", "op straat", "markt*",
                      "stadhuis", "gemeentehuis", "raadszaal", "vergadering*", "raadsvergadering*", "deur", "voordeur",
                      "supermarkt*", "winkel*", "parkeerplaats*", "kwam naar", "sprak me aan", "sprak mij aan",
                      "liep naar", "stond voor", "stond bij", "schreeuwde", "riep", "duwde", "sloeg", "spuugde",
                      "bushalte", "station", "school", "plein", "inloop*", "spreekuur", "bijeenkomst", "tuin", "oprit",
                      "fiets*", "huis", "thuis", "sportclub", "kantine", "café", "hal")),
    ("other", ("anders", "overig", "iets anders")),
]
# A starred word runs on through a hyphen ("facebook-bericht"); e-mail words also end a compound ("dreigmails").
_MEDIUM_PATTERNS = [
    (key, [re.compile((r"(?:\b|(?<=\w))" if key == "email" and w.startswith("mail") else r"\b")
                      + re.escape(w.rstrip("*")) + (r"[\w-]*" if w.endswith("*") else "") + r"(?![\w-])", re.I)
           for w in words if w not in ("x",)])
    for key, words in MEDIUM_WORDS
]
# "hij belde (bij ons) aan": at the door, not on the phone.
_DOORBELL = re.compile(r"\bbel(?:de|den|t)\s+(?:\w+\s+){0,2}?aan\b(?!\s+(?:de|het|mijn|m'n)\b)", re.I)
_X = re.compile(r"\b(?:op|via|on)\s+x\b|\bx\s*\(twitter\)", re.I)
_VOCABULARY = {w.rstrip("*"): key for key, words in MEDIUM_WORDS for w in words
               if len(w.rstrip("*")) >= 5 and " " not in w and key != "other"}
# Common words of this conversation that are near misses of a medium word ("melden" ~ "belden"): never corrected.
_NOT_TYPOS = {"melden", "gemeld", "melding", "helden", "wensen", "andere", "anderen", "merkt", "kaarten", "posten",
              "gesproken", "aangesproken", "afgesproken", "uitgesproken", "toegesproken", "besproken", "gebeden"}


def _near_miss(token: str, vocabulary: list[str], cutoff: float) -> str | None:
    """The vocabulary word a token is a typo of: two letters swapped ("emial"), or close enough."""
    if token in _NOT_TYPOS:
        return None
    for i in range(len(token) - 1):
        swapped = token[:i] + token[i + 1] + token[i] + token[i + 2:]
        if swapped != token and swapped in vocabulary:
            return swapped
    # A typo keeps the first letter: "aangesproken" is another word than "ingesproken", not a typo of it.
    close = difflib.get_close_matches(token, [w for w in vocabulary if w[:1] == token[:1]], n=1, cutoff=cutoff)
    return close[0] if close else None


def medium_in(text: str | None, *, fuzzy: bool = True) -> str | None:
    """The MEDIA key a text names (button key, word, platform, verb), or None. Fuzzy: a typo of a word of five
    letters or more ("facbook", "whatsap", "telefonish") counts too."""
    if not text:
        return None
    folded = _DOORBELL.sub("aan de deur", text.lower().strip())
    if _X.search(folded):
        return "social_media"
    for key, patterns in _MEDIUM_PATTERNS:
        if any(p.search(folded) for p in patterns):
            return key
    if fuzzy:
        for token in re.findall(r"[\w-]{5,}", folded):
            close = _near_miss(token, list(_VOCABULARY), 0.84)
            if close:
                return _VOCABULARY[close]
    return None


PLATFORMS = {"facebook": "Facebook", "messenger": "Facebook Messenger", "twitter": "X (Twitter)", "instagram": "Instagram",
             "tiktok": "TikTok", "linkedin": "LinkedIn", "youtube": "YouTube", "whatsapp": "WhatsApp", "signal": "Signal",
             "telegram": "Telegram", "snapchat": "Snapchat", "x": "X"}


def platform_in(text: str) -> str | None:
    folded = text.lower()
    if "facebook messenger" in folded:
        return "Facebook Messenger"
    for word, name in PLATFORMS.items():
        if word == "x":
            if _X.search(folded):
                return name
        elif re.search(rf"\b{word}", folded):
            return name
    return None


# --- where, who, with what, how, why, witnesses, consequences -------------------------------------------------

_PLACE_NOUNS = (
    "markt", "weekmarkt", "stadhuis", "gemeentehuis", "raadhuis", "raadszaal", "parkeerplaats", "parkeergarage", "straat",
    "supermarkt", "winkel", "station", "school", "schoolplein", "deur", "voordeur", "huis", "tuin", "oprit", "plein",
    "kantoor", "bibliotheek", "sporthal", "sportpark", "buurthuis", "wijkcentrum", "dorpshuis", "zaal", "café", "kerk",
    "bushalte", "trein", "bus", "fietsenstalling", "haven", "park", "hal", "gang", "lift", "inloopavond", "informatieavond",
    "bijeenkomst", "wijkavond", "spreekuur", "vergadering", "raadsvergadering", "commissievergadering", "braderie",
    "kermis", "centrum", "dorp", "wijk", "buurt", "kantine", "sportclub", "voetbalclub", "stoep", "brug", "fietspad",
    "ingang", "uitgang", "balie", "fractiekamer", "perszaal", "tribune", "hoek",
)
_PREP = r"(?:op|in|bij|voor|aan|naast|achter|tegenover|buiten|vlak\s+bij|vlakbij)"
_DET = r"(?:de|het|een|mijn|m'n|ons|onze|zijn|haar)"
_PLACE = re.compile(
    rf"\b{_PREP}\s+(?!welke\b|wat\b)(?:{_DET}\s+)?(?:[\w'-]+\s+){{0,2}}?(?:\w*(?:{'|'.join(_PLACE_NOUNS)}))\b"
    rf"(?:\s+(?:van|achter|bij|naast|in|aan|op)\s+(?:{_DET}\s+)?[\w'-]+(?:\s+\d+[a-z]?\b)?)?", re.I)
_HOME = re.compile(r"\b(?:bij\s+(?:mij|ons)\s+thuis|thuis|aan\s+(?:mijn|m'n|onze)\s+(?:voor)?deur|bij\s+(?:mijn|ons)\s+huis)\b", re.I)
_LOOKS = ("jas", "jasje", "pet", "petje", "muts", "capuchon", "hoodie", "baard", "snor", "bril", "zonnebril", "hond",
          "fiets", "scooter", "auto", "busje", "tas", "rugzak", "tatoeage", "tattoo", "sjaal", "trainingspak", "helm")

_PERSON_NOUNS = (
    "man", "mannen", "vrouw", "vrouwen", "jongen", "jongens", "jongeman", "jongemannen", "meisje", "meisjes", "jongere",
    "jongeren", "inwoner", "inwoners", "bewoner", "bewoners", "buurman", "buurvrouw", "buurtbewoner", "persoon", "personen",
    "dame", "heer", "kerel", "vent", "groep", "groepje", "demonstrant", "demonstranten", "ondernemer", "ondernemers",
    "boer", "boeren", "ouder", "ouders", "vader", "moeder", "account", "accounts", "afzender", "beller",
    "twitteraar", "figuur", "mensen", "automobilist", "fietser", "klant", "bezoeker", "insprekers", "insprekker", "inspreker",
    "raadslid", "wethouder", "fractievoorzitter", "activist", "activisten", "trol", "trollen", "actievoerder", "actievoerders",
)
_AGES = "twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig"
_WHO = re.compile(
    rf"\b(?:een|die|de|deze|twee|drie|vier|vijf|mijn|onze|m'n|zijn|haar|anonieme?|onbekende?|oudere?|jonge?)\s+"
    rf"(?:(?!(?:{'|'.join(_PLACE_NOUNS)}|brievenbus|zonder|met|van|op|in|bij|uit)\b)[\w'-]+\s+){{0,2}}?(?:{'|'.join(_PERSON_NOUNS)})\b"
    rf"(?:\s+(?:van\s+(?:ongeveer|rond\s+de|een\s+jaar\s+of|zo'n|circa)?\s*(?:\d{{2}}|{_AGES})(?:\s+jaar)?|met\s+(?:een\s+|zijn\s+)?(?:[\w'-]+\s+)?(?:{'|'.join(_LOOKS)})\b"
    rf"|uit\s+(?:de|het|mijn|onze)\s+[\w'-]+|die\s+ik\s+(?:ken|niet\s+ken|al\s+langer\s+ken)))*", re.I)
_HANDLE = re.compile(r"(?<!\w)@[\w.]{2,30}|\b(?:onbekende|anoniem(?:e)?\s+(?:afzender|account|beller)|zonder\s+afzender)\b", re.I)
# "mijn man", "onze kinderen": the user's own people, not who did it (but "mijn buurman" is).
_OWN = re.compile(r"^(?:mijn|m'n|onze|ons|zijn|haar)\s+(?:man|vrouw|vriend|vriendin|partner|vader|moeder|ouders|kind|kinderen|zoon|"
                  r"dochter|gezin|collega|mensen)\b", re.I)
_QUOTED = re.compile(r"(?<!\w)['\"\u2018\u201c][^'\"\u2019\u201d]{2,}?['\"\u2019\u201d](?!\w)")
_NAMED = re.compile(r"\b(?:meneer|mevrouw|dhr\.?|mevr\.?)\s+[A-Z][\w'-]+", re.U)

_WEAPONS = ("mes", "messen", "pistool", "vuurwapen", "wapen", "knuppel", "honkbalknuppel", "stok", "steen", "stenen",
            "vuurwerk", "bijl", "hamer", "fles", "flessen", "eieren", "ei", "verf", "brandbom", "molotov", "kogel", "kogels",
            "stoeptegel", "schroevendraaier", "auto", "zwaard", "boksbeugel", "spuitbus", "mest", "tractor")
_WEAPON = re.compile(rf"\b(?:met|gooide|gegooid|zwaaide|dreigde\s+met|hield|had|trok)\s+(?:\w+\s+){{0,3}}?(?:een\s+|zijn\s+|de\s+)?"
                     rf"(?:\w+\s+)?({'|'.join(_WEAPONS)})\b", re.I)
_PHYSICAL = re.compile(r"\b(sloeg|geslagen|duwde|geduwd|schopte|geschopt|spuugde|spuwde|bespuugd|greep|gegrepen|trok|"
                       r"sleurde|stompte|kneep|beet|gooide|gegooid|vernielde|vernield|ingegooid|bekrast|beklad|lekgestoken|"
                       r"in\s+brand)\b", re.I)
_WORDS = re.compile(r"\b(riep|roep|schreeuwde|geschreeuwd|zei|zegt|noemde|scheld\w*|schold|uitgescholden|dreigde|bedreigde|"
                    r"schreef|schrijft|schrijven|stuurde|stuurt|gestuurd|noemt|noemen|roept|post|plaatst|tweette|twitterde|plaatste|reageerde|belde|mailde|appte|sms'te|brulde|"
                    r"tierde|beledigde|zeggen|woorden|opmerking\w*|tekst\w*|bericht\w*|['\"\u2018\u201c])", re.I)
_HOW = [
    ("schreeuwend", re.compile(r"\b(schreeuw\w*|geschreeuwd|riep|brulde|tierde|gilde|luid\w*|hard)\b", re.I)),
    ("scheldend", re.compile(r"\b(scheld\w*|schold\w*|uitgescholden)\b", re.I)),
    ("dreigend", re.compile(r"\b(dreig\w*|bedreig\w*|intimider\w*)\b", re.I)),
    ("herhaald", re.compile(r"\b((?<!nog )steeds|telkens|weer|opnieuw|elke\s+(?:dag|week|avond)|al\s+(?:weken|maanden|dagen)|"
                            r"vaker|meerdere\s+keren|\w+de\s+keer|al\s+(?:een\s+paar|enkele|twee|drie|\d+)\s+(?:dagen|weken|maanden)|(?:twee|drie|vier|vijf|tien|\d+)\s+keer|keer\s+op\s+keer|blijft|bleef|"
                            r"wekenlang|dagelijks|regelmatig)\b", re.I)),
    ("samen met anderen", re.compile(r"\b(met\s+z'n\s+\w+|groep\w*|(?:twee|drie|vier|vijf|een\s+paar)\s+(?:mannen|jongens|vrouwen|"
                                     r"personen|mensen|jongeren)|samen\s+met|met\s+(?:twee|drie|vier|vijf|meerdere)\s+\w+|"
                                     r"met\s+vrienden|met\s+anderen)\b", re.I)),
    ("anoniem", re.compile(r"\banoniem\w*\b", re.I)),
    ("rustig maar dreigend", re.compile(r"\brustig\s+maar\b", re.I)),
    ("hij volgde mij", re.compile(r"\b(volgde|gevolgd|achtervolg\w*|stalk\w*)\b", re.I)),
]
_WHY = re.compile(
    r"[^.,;!?]*\b(?:niet\s+(?:kreeg|krijgt|gekregen)|werd\s+geweigerd|geweigerd|afgewezen|niet\s+eens\s+met)\b[^.!?;]*"
    r"|\b(?:(?:het|dat|een)\s+besluit\s+over|stemde\s+(?:voor|tegen)|stem\s+(?:voor|tegen|over))\b[^.!?;]*"
    r"|\b(?:omdat|vanwege|want|naar\s+aanleiding\s+van|n\.a\.v\.?|uit\s+boosheid\s+over|boos\s+(?:over|om)|"
    r"kwaad\s+(?:over|om)|(?:het|die|dat)\s+ging\s+over|over\s+(?:het|de|mijn|ons|onze)\s+(?:\w+\s+)?"
    r"(?:besluit|plan|plannen|motie|stemming|voorstel|azc|windmolen\w*|bezuiniging\w*|uitspraak|uitspraken|standpunt|"
    r"beleid|vergunning|bestemmingsplan|huisvesting|opvang|bouwplan\w*|post|bericht|interview|artikel|boeren|stikstof|"
    r"asielzoekers|windmolens|zwembad|parkeer\w*|kermis|terrassen|moskee|bibliotheek|woningbouw|belasting\w*))\b[^.!?;]*", re.I)
# Where a reason runs on into what was said ("omdat ik stemde, dat ik dood moest"): the reason ends there.
_WHY_END = re.compile(r",?\s+\b(?:dat|die)\b(?!\s+(?:besluit|plan|plannen|motie|stemming|voorstel|beleid|artikel|post|bericht)\b).*$", re.I)
_WITNESSES = re.compile(
    r"[^.!?;,]*\b(?:getuige\w*|zag\s+het|zagen\s+het|heeft\s+het\s+gezien|hebben\s+het\s+gezien|was\s+erbij|waren\s+erbij|"
    r"stond(?:en)?\s+erbij|hoorde\s+het|hoorden\s+het|niemand\s+(?:zag|heeft|hoorde)|er\s+(?:stonden|waren|zaten)\s+"
    r"(?:\w+\s+){0,2}(?:mensen|bezoekers|collega's|omstanders|publiek))\b[^.!?;]*", re.I)
_CONSEQUENCES = re.compile(
    r"[^.!?;,]*\b(bang|angstig|geschrokken|slaap\s+(?:er\s+)?(?:slecht|niet)|slecht\s+geslapen|durf\w*\s+(?:niet|nauwelijks)|onveilig|"
    r"gewond|blauwe\s+plek\w*|pijn|schade|(?:is|zijn|was|waren|ging|gingen)\s+kapot|kapot\s+(?:gemaakt|gegooid|geslagen|getrapt)|kapotte|gebroken|overstuur|van\s+slag|trillen\w*|"
    r"huilen\w*|politie\s+(?:gebeld|gekomen|ingeschakeld)|aangifte\s+gedaan|naar\s+de\s+dokter|ziekenhuis|"
    r"kinderen\s+(?:zijn|waren)\s+bang|mijn\s+gezin)\b[^.!?;]*", re.I)


def _clean(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,.;:!?-")
    return phrase[:1].upper() + phrase[1:] if phrase else phrase


_TYPO_WORDS = sorted({*_PERSON_NOUNS, *(w.rstrip("*") for key, words in MEDIUM_WORDS for w in words
                                        if " " not in w and key != "other")})


def _fix_typos(text: str) -> str:
    """A word of five letters or more that is a near miss of a person or medium word ("acount", "twiter") is read
    as that word."""
    def fix(m: re.Match) -> str:
        word = m.group(0)
        if word.lower() in _TYPO_WORDS:
            return word
        return _near_miss(word.lower(), _TYPO_WORDS, 0.86) or word

    return re.sub(r"\b[a-zA-Z]{5,}\b", fix, text)


# An answer to "how did it reach you" that names a place or a meeting: it happened in person.
PLACE_ANSWER = re.compile(rf"^\s*(?:{_PREP}|tijdens|onderweg|in\s+de\s+buurt)\b|\b(?:{'|'.join(_PLACE_NOUNS)}|werk|debat|gemeenteraad|"
                          r"raad|trein|bus|tram|metro)\b", re.I)
# Words that say the person was there: a place named with them is where it happened, whatever else the story says.
IN_PERSON = re.compile(
    r"\b(?:aangesproken|sprak\s+(?:me|mij|ons)\s+aan|kwam\s+(?:naar|op)\s+(?:me|mij|ons)|liep\s+(?:naar|achter)|"
    rf"stond(?:en)?\s+(?:\w+\s+){{0,4}}?{_PREP}\s+(?:{_DET}\s+)?(?:[\w'-]+\s+)?\w*(?:{'|'.join(_PLACE_NOUNS)})|"
    r"belde\s+(?:\w+\s+){0,2}?aan|duwde|sloeg|spuugde|spuwde|"
    r"greep|schopte|in\s+het\s+echt|persoonlijk|face\s+to\s+face|in\s+persoon|opwachtte|wachtte\s+(?:me|mij|ons)\s+op)\b", re.I)


def where_in(text: str, medium: str | None = None) -> str | None:
    """The place the story names ("op de parkeerplaats achter het gemeentehuis", "bij mij thuis"); online when the
    medium is; None when the story does not say."""
    places = list(_PLACE.finditer(text))
    home = _HOME.search(text)
    if (places or home) and IN_PERSON.search(text):
        medium = None  # the person was there: the place stands
    if medium in ("social_media", "email", "message", "phone"):
        places = []  # it reached the user at a distance: a place in the story is not where it happened
        home = None
    if places:
        return _clean(places[0].group(0))
    if home:
        return "Bij u thuis" if re.search(r"thuis|huis", home.group(0), re.I) else _clean(home.group(0))
    if medium == "social_media":
        platform = platform_in(text)
        return f"Online, op {platform}" if platform else "Online"
    if medium in ("email", "message", "phone", "letter"):
        from actions.report_fields import MEDIA

        return f"Niet ter plekke: via {MEDIA[medium].split(' (')[0]}"
    return None


def who_in(text: str) -> str | None:
    named = _NAMED.search(text)
    if named:
        return _clean(named.group(0))
    for m in _WHO.finditer(text):
        if not _OWN.match(m.group(0)):
            return _clean(m.group(0))
    h = _HANDLE.search(text)
    if h:
        return _clean(h.group(0))
    return None


def with_what_in(text: str, medium: str | None = None) -> str | None:
    weapon = _WEAPON.search(text)
    if weapon:
        return f"Met een voorwerp: {weapon.group(1).lower()}"
    physical = _PHYSICAL.search(text)
    if physical:
        return f"Lichamelijk: {physical.group(1).lower()}"
    if _WORDS.search(text) or medium in ("email", "message", "social_media", "letter", "phone"):
        return "Met woorden"
    return None


def how_in(text: str) -> str | None:
    found = [label for label, pattern in _HOW if pattern.search(text)]
    return ", ".join(found[:3])[:1].upper() + ", ".join(found[:3])[1:] if found else None


_WHY_START = re.compile(r"^.*\b(?:die|dat|omdat|want|toen|en)\s+(?=\S)", re.I)


def why_in(text: str) -> str | None:
    m = _WHY.search(text)
    if not m:
        return None
    why = m.group(0)
    if re.search(r"\bniet\s+(?:kreeg|krijgt|gekregen)|geweigerd|afgewezen", why, re.I) and not why.lower().startswith(("omdat", "want")):
        why = _WHY_START.sub("", why)  # "bedreigd door een inwoner die zijn vergunning niet kreeg" -> the reason only
    return _clean(_WHY_END.sub("", why))


def witnesses_in(text: str) -> str | None:
    m = _WITNESSES.search(text)
    return _clean(m.group(0)) if m else None


def consequences_in(text: str) -> str | None:
    """What it did to the user, without the act before it: "hij vernielde mijn fiets en ik ben bang" -> "Ik ben bang"."""
    m = _CONSEQUENCES.search(text)
    if not m:
        return None
    lead = text[m.start():m.start(1)]
    cut = list(re.finditer(r"\b(?:en|maar|dus|sindsdien|nu)\s+", lead, re.I))
    return _clean(text[m.start() + cut[-1].end() if cut else m.start():m.end()])


# What someone said or wrote ("hij zei dat hij me zaterdag zou opwachten", "hij riep: ... op school") is not when or
# where it happened: the clause after the verb's "dat", and what follows a colon, to the end of the sentence.
_SAID = re.compile(r"(\b(?:zei|zegt|zeiden|riep|riepen|roept|schreeuwde|brulde|schreef|schrijft|schreven|dreigde|dreigt|"
                   r"appte|mailde|twitterde|tweette|postte|beweerde|(?:staat|stond|stonden)\s+(?:er\s+)?in)\b(?:\s+[^\s.!?,;:]+){0,6}?)\s+dat\b[^.!?]*", re.I)
_AFTER_COLON = re.compile(r"(?<!\d):(?!\d)[^.!?]*")
# A clause about someone else in the news ("in de krant stond dat een raadslid ...") is not this incident.
_NEWS = re.compile(r"\b(?:krant|kranten|nieuws|journaal|nieuwsbericht)\b", re.I)
_READ = re.compile(r"\b(?:las|gelezen)\b", re.I)


def _without_news(text: str) -> str:
    parts = re.split(r"(?<=[.!?;,])\s+", text)
    return " ".join(p for p in parts if not (_NEWS.search(p) or (_READ.search(p) and medium_in(p, fuzzy=False) is None)))


def prefill(story: str | None, now: datetime | None = None) -> dict[str, str]:
    """Report slot -> answer for every field the story names (none of them for an empty story)."""
    if not story or not story.strip():
        return {}
    # What was said ('ik weet waar je woont') is not where or by whom it happened: facts come from the rest.
    told = _QUOTED.sub(" ", story)
    unquoted = told
    told = _SAID.sub(r"\1", _AFTER_COLON.sub(" ", told))
    said = told != story
    told = _fix_typos(_without_news(told))
    medium = medium_in(told, fuzzy=False)
    medium = None if medium == "other" else medium  # "anders" in a story is not a medium
    if medium in ("social_media", "email", "message", "phone") and IN_PERSON.search(told) and (_PLACE.search(told) or _HOME.search(told)):
        medium = None  # at a distance and then in person at a place: the place stands, and it was in person (below)
    when = parse_when(told, now)
    found = {
        "report_who": who_in(told),
        "report_when": when.shown() if when and not when.future else None,
        "report_where": where_in(told, medium),
        "report_medium": medium,
        "report_with_what": with_what_in(told, medium) or ("Met woorden" if said else None),
        "report_how": how_in(told),
        "report_why": why_in(_fix_typos(_without_news(unquoted))),  # a reason is often in what was said
        "report_witnesses": witnesses_in(told),
        "report_consequences": consequences_in(told),
    }
    if found["report_medium"] is None and found["report_where"] and not found["report_where"].startswith(("Online", "Niet ter")):
        found["report_medium"] = "face_to_face"  # a physical place and no other way named: it happened in person
    return {slot: value for slot, value in found.items() if value}
