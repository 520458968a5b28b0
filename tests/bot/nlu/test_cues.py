"""The cue rules: C and D cues, direction over intensity, negation, acute danger, persistence."""

import pytest

from nlu import cues


def kinds(text):
    return [(c.kind, c.category) for c in cues.find_cues(text)]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Een man op de markt riep: jij bent een landverrader, ik weet waar je woont", "bedreiging"),
        ("Hij zei dat hij me kapot zou maken: ik maak je af", "bedreiging"),
        ("Ik zou maar oppassen, zei ze", "bedreiging"),
        ("Iemand heeft mijn huisadres op Facebook gezet", "doxing"),
        ("Ik word al weken gevolgd door dezelfde man", "stalking"),
        ("Ik word al maanden gestalkt door een oud-raadslid", "stalking"),  # the past participle (session 18)
        ("Ik ben opgewacht bij mijn huis", "stalking"),
        ("Ik word al maanden belaagd door een oud-collega", "stalking"),
        ("Hij belaagde mij op weg naar huis", "stalking"),
        ("Ik werd gisteren gestalked door een man", "stalking"),
        ("Ik ben gedoxt op een forum", "doxing"),
        ("Ik werd geïntimideerd door twee mannen", "intimidatie"),
        ("Hij stond gisteren weer bij mijn huis te wachten", "stalking"),
        ("Hij pakte me vast en duwde me tegen de muur", "fysiek_geweld"),
        ("Ze spuugde naar me op de markt", "fysiek_geweld"),
        ("De ruiten van mijn auto zijn ingegooid", "vernieling"),
        ("Hij maakte seksuele opmerkingen en betastte mijn arm", "seksuele_intimidatie"),
        ("Hij bedreigde mijn kinderen", "bedreiging"),
        ("Iemand belde dat hij het gemeentehuis in de fik gaat steken", "bedreiging"),
        ("Hij gaf me een duw bij de uitgang", "fysiek_geweld"),
        ("Er gaat een lijst rond met huisadressen van raadsleden", "doxing"),
        ("Hij vroeg welk ondergoed ik droeg", "seksuele_intimidatie"),
        ("Als dit doorgaat gaan er koppen rollen", "bedreiging"),
        # veiled threats: idioms that promise harm without naming it
        ("jij krijgt nog wat je verdient, wacht maar af", "bedreiging"),
        ("Iemand moet die wethouder eens een lesje leren", "bedreiging"),
        ("Stem voor, anders merk je het wel", "bedreiging"),
        ("Mensen zoals jij eindigen ooit in een greppel", "bedreiging"),
        ("Mooie auto, zou zonde zijn als daar iets mee gebeurt", "bedreiging"),
        ("We weten je te vinden", "bedreiging"),
        ("Hij riep dat hij de hele tent hier opblaast", "bedreiging"),
        # family members count the same (Alkmaar ch. 10)
        ("Een man wacht mijn vrouw op bij haar werk", "stalking"),
        ("Hij bleef mailen vanaf nieuwe adressen nadat ik hem had geblokkeerd", "stalking"),
        ("Honderden DM's inmiddels, ook om 4 uur snachts", "stalking"),
        ("Hij belde me om drie uur 's nachts weer op", "stalking"),
        ("Hij tagt me overal en roept zijn volgers op hetzelfde te doen", "intimidatie"),
        ("Hij vroeg hoeveel ik kost voor een nachtje", "seksuele_intimidatie"),
        ("Hij trok zo hard aan mijn jas dat de knopen eraf sprongen", "fysiek_geweld"),
        ("Een man die een raadslid een klap heeft gegeven", "fysiek_geweld"),
        ("Hij trapte onze partijkraam om", "vernieling"),
        ("Iemand heeft beide wielen van mijn fiets verbogen", "vernieling"),
        ("Hij smeet een stoel door de glazen deur", "vernieling"),
        ("Iemand riep naar mijn vrouw: 'Let maar goed op jullie hond.'", "bedreiging"),
        ("Dat hele stadhuis gaat de lucht in als de raad dit besluit neemt", "bedreiging"),
        ("Hij zei dat hij me kapot maakt. Er is verder niks gebeurd, maar ik ben geschrokken.", "bedreiging"),
        ("Dit is je laatste waarschuwing", "bedreiging"),
        ("Met zo'n kontje mag je van mij alles besluiten", "seksuele_intimidatie"),
        ("Ik droom vaak van u, mevrouw de wethouder", "seksuele_intimidatie"),
        ("Onder mijn foto schrijven mannen wat ze met mij zouden doen", "seksuele_intimidatie"),
    ],
)
def test_d_cues(text, kind):
    found = cues.find_cues(text)
    assert cues.heaviest(found) == "D"
    assert kind in [c.kind for c in found]


@pytest.mark.parametrize(
    "text",
    [
        "U bent een oplichter, zei hij heel rustig",
        "Hij noemde me een leugenaar",
        "Ik werd uitgescholden op Twitter",
        "Ga terug naar je eigen land, riep hij",
    ],
)
def test_personal_aggression_is_c_even_when_calm(text):
    assert cues.heaviest(cues.find_cues(text)) == "C"


@pytest.mark.parametrize(
    "text",
    [
        "JULLIE BELEID IS EEN SCHANDE!!! DIT IS DIEFSTAL VAN DE BURGER",
        "Hij dreigde met een rechtszaak tegen de gemeente",
        "Ze dreigde naar de krant te stappen over het besluit",
        "Ik snap niet waarom mijn vergunning is afgewezen, ik ben zo boos",
        "Hij gooide de hoorn erop neer",
        "Ik weet niet wat er met mijn uitkering gaat gebeuren",
        # words that are threats in other senses
        "Hij kon zijn verhaal amper afmaken van de zenuwen",
        "Ze moet verhuizen omdat haar flat gesloopt wordt",
        "Hij vertelde dat hij dreigt uit zijn huis gezet te worden",
        "Let op de kosten van dit plan",
        "Ik werk zelf vaak 's nachts",
        "Een ondernemer klaagde. Hij dreigde nergens mee, was alleen gefrustreerd.",
        "Mail met als onderwerp 'LAATSTE WAARSCHUWING': de afzender schakelt zijn advocaat in.",
        "Ik wil het verslag nog af maken",
    ],
)
def test_loud_criticism_and_own_emotion_give_no_strong_cue(text):
    assert cues.find_cues(text) == []


def test_negation_does_not_count_but_stops_at_maar():
    assert cues.find_cues("Er was geen sprake van een bedreiging") == []
    assert kinds("Hij heeft me niet bedreigd, maar schold me wel uit") == [("belediging", "C")]


def test_heaviest_counts_and_cues_are_in_reading_order():
    found = cues.find_cues("jij bent een landverrader, ik weet waar je woont")
    assert [c.category for c in found] == ["C", "D"]
    assert cues.heaviest(found) == "D"
    assert found[1].text == "ik weet waar je woont"


def test_physical_sub_kind_wins():
    found = cues.find_cues("Hij bedreigde me en sloeg me daarna")
    assert cues.d_subkind(found) == "fysiek_geweld"


@pytest.mark.parametrize(
    "text, acute",
    [
        ("Hij staat nu voor mijn deur", True),
        ("Ik word gevolgd", True),
        ("Er staat iemand in mijn tuin met een mes", True),
        ("Hij stond vorige week voor mijn deur", False),
        ("Ik weet niet wat ik moet doen want hij staat nu voor mijn deur", True),
        ("Ik kan niet weg want er staat iemand voor mijn huis", True),
        ("Er staat een man met een mes voor de deur", True),
        ("Help, hij is binnen en heeft een mes", True),
        ("Jullie beleid is nu echt voor mij een probleem", False),
    ],
)
def test_acute(text, acute):
    assert cues.is_acute(text) is acute


def test_persistence_and_medium():
    assert cues.is_persistent("Hij bleef maar doorgaan na mijn waarschuwing")
    assert not cues.is_persistent("Hij bleef rustig")
    assert cues.medium("Ze stuurde een mail") == "email"
    assert cues.medium("Op Facebook schreef hij") == "social_media"


@pytest.mark.parametrize(
    "text",
    [
        "Stel dat iemand me bedreigt op de markt, wat moet ik dan doen?",
        "Wat is het verschil tussen intimidatie en bedreiging?",
        "Wat moet ik doen als iemand mij op straat uitscheldt?",
        "We gaan morgen een vlag ophangen bij het stadhuis",
        "Mijn zoon wordt gepest op school en niemand doet iets",
        "Als iemand spuugt, telt dat dan als fysiek geweld?",
        "Hoe vaak worden raadsleden in Nederland eigenlijk bedreigd?",
    ],
)
def test_hypothetical_questions_and_everyday_words_are_no_cues(text):
    assert cues.find_cues(text) == []


def test_worry_about_the_house_is_not_acute():
    assert not cues.is_acute("Ze is nu bang dat ze haar huis moet verkopen")


def test_a_question_that_tells_a_story_keeps_its_cues():
    assert cues.heaviest(cues.find_cues("Hij zei gisteren 'ik weet waar je woont', is dat een bedreiging?")) == "D"


@pytest.mark.parametrize(
    "text",
    [
        "Op een forum staat een lijst van alle raadsleden van de coalitie met hun woonadressen erbij",
        "Iemand leest in een livestream mijn huisadres voor",
        "Als dat besluit doorgaat kom ik je persoonlijk opzoeken",
        "Er stond iemand die mijn man meteen in zijn gezicht sloeg",
    ],
)
def test_verb_final_and_separable_verbs(text):
    assert cues.heaviest(cues.find_cues(text)) == "D"


@pytest.mark.parametrize(
    "text",
    [
        "Nee, er is niemand bedreigd, ik test alleen of de knop werkt.",
        "Wat is doxing precies? Ik hoor het steeds vaker.",
        "Kun je uitleggen wat doxing is?",
        "Ik heb gisteren een training gehad over agressie en intimidatie, heel nuttig.",
        "In het nieuws las ik over een burgemeester die bedreigd werd. Hoe vaak gebeurt dat eigenlijk?",
        "Valt stalking van een partner onder het protocol? Puur theoretisch, er is niks gebeurd.",
        "Is spugen fysiek geweld of valt het onder iets anders? Het is voor de cursus die ik geef.",
        "Als iemand mijn adres online zet, is dat dan doxing? Het is niet gebeurd hoor.",
        "lol mijn dochter typte net 'ik word bedreigd' als grapje, negeer dat maar",
        "Hoe moet ik reageren als een inspreker begint te schelden?",
    ],
)
def test_questions_about_words_and_news_tell_no_incident(text):
    assert cues.find_cues(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Ik word al weken gevolgd door een man. Is dat stalking?",
        "Hij dreigde me in elkaar te slaan. Moet ik dat melden volgens het protocol?",
    ],
)
def test_a_question_after_a_told_incident_keeps_its_cues(text):
    assert cues.heaviest(cues.find_cues(text)) == "D"


# Found in review: a threat told next to a question, a course or the news keeps its cues.
@pytest.mark.parametrize(
    "text",
    [
        "Tijdens de voorlichting over de windmolens kwam een man op me af en dreigde me te slaan.",
        "Tijdens de training over agressie werd ik door een deelnemer bedreigd.",
        "Sinds ik in de krant stond over het azc word ik bedreigd. Wat moet ik doen?",
        "Ik kwam in het nieuws en nu krijg ik elke dag doodsbedreigingen. Wat nu?",
        "Iemand stuurt me elke nacht berichten dat hij weet waar ik woon. Is dat volgens het protocol stalking?",
        "Hij zegt dat hij me komt halen. Wat zegt het protocol daarover?",
        "Hij dreigt mijn kinderen iets aan te doen. Welke categorie uit de tabel is dat?",
        "Hij appt dat hij me kapot maakt als ik voor stem. Is dat een voorbeeld van D?",
        "Hij deed het later af als grap, maar hij zei echt dat hij me zou neersteken.",
        "Hij stuurde me een dreigbrief. Mijn advocaat zegt: negeer dit maar, maar ik vertrouw het niet.",
        "Negeer dit bericht alsjeblieft niet: een man volgde me vandaag tot aan mijn huis.",
        "Kunt u mij uitleggen wat ik nu moet doen? Een man bedreigde mij gisteren met een mes.",
        "Hoe moet ik reageren als hij weer voor mijn deur staat? Hij heeft gedreigd mijn huis in brand te steken.",
        "Wat is dat eigenlijk, doxing? Iemand heeft gisteren mijn adres online gezet.",
        "Als hij mij weer bedreigt, wat moet ik dan?",
        "Ik heb nog niemand verteld dat hij me bedreigd heeft.",
        "Niemand gelooft me dat hij mij bedreigt.",
        "Ik durf nergens meer heen sinds hij me bedreigt.",
        "Hij dreigde bij mij langs te komen.",
        "Dit is je laatste waarschuwing: trek die klacht in of het loopt slecht met je af.",
        "Iemand heeft mijn huisadres op Facebook gezet. Er is verder niks gebeurd.",
        "Hij heeft me na de vergadering opgewacht.",
    ],
)
def test_a_told_threat_is_never_silenced(text):
    assert cues.heaviest(cues.find_cues(text)) == "D"


# Found in review: everyday sentences that an earlier version of the new rules took for D.
@pytest.mark.parametrize(
    "text",
    [
        "De nieuwe website van de gemeente gaat volgende week de lucht in.",
        "Let op, de vergadering begint vanavond een uur later.",
        "Let goed op uw huis tijdens de vakantie, zegt de wijkagent.",
        "Er moeten eerst ongelukken gebeuren voordat de gemeente iets aan dat kruispunt doet.",
        "Kom gewoon naar het spreekuur, dan zie je het wel.",
        "Ik wacht maar af wat de raad besluit.",
        "Het zou zonde zijn als er niks gebeurt met dit mooie plan.",
        "Op woensdag ga ik lesjes geven op de basisschool.",
        "Deze zaak wordt enorm opgeblazen door de media.",
        "Het is een baan die je kapot maakt.",
        "Je moet je opleiding afmaken.",
        "De partij riep haar achterban op om massaal te gaan stemmen.",
        "We werden op het station opgewacht door de burgemeester.",
        "Ik voel me geïntimideerd door de omvang van het dossier.",  # session 18: only "ik word/werd ... geïntimideerd"
        "Kan het eigenlijk belaging zijn als iemand mij elke week mailt?",
        "De handhavers worden belaagd door hangjongeren, zegt de wijkagent.",
        "We kregen tientallen mails van bezorgde inwoners over de bomenkap.",
        "De gemeente stuurde een brief over werkzaamheden die 's nachts plaatsvinden.",
        "De afrit blijft dicht terwijl de omleiding ook geblokkeerd is.",
        "Ik droom al jaren van je plan voor een skatebaan.",
        "Ik ben benieuwd wat ze met mij willen doen na de reorganisatie.",
        "Ik wil weten wat het kost om de nachtbus te laten rijden.",
        "De wethouder heeft het project een flinke duw gegeven.",
        "Mijn zoontje trok de hele tijd aan mijn mouw.",
        "Het college heeft het hele beleid omgegooid.",
        "Het college gooide vorig jaar het roer om.",
        "Dit college wil de armoede in de wijk te lijf gaan.",
        "De oppositie slachtte het voorstel af in het debat.",
    ],
)
def test_everyday_sentences_are_no_threat(text):
    assert cues.heaviest(cues.find_cues(text)) != "D"


def test_here_is_only_now_when_somebody_is_still_there():
    assert not cues.is_acute("Ik wil hier nog aan toevoegen dat hij me vorig jaar een keer bedreigde.")
    assert cues.NOW.search("Hij staat hier nog, met een mes")


# Real-world wording (issue 9): kinds of error described in the issue, in sentences of our own.
@pytest.mark.parametrize(
    "text, kind",
    [
        ("Vannacht is er op ons huis geschoten", "bedreiging"),
        ("Ze hebben mijn auto in brand gestoken", "bedreiging"),
        ("Hij stak vorige week de auto van mijn vrouw in de fik", "bedreiging"),
        ("Er lag een dode kat op de stoep met een briefje", "bedreiging"),
        ("We weten waar je kinderen naar school gaan", "bedreiging"),
        ("Er staan jongens die wel weten wat ze met je moeten doen", "bedreiging"),
        ("Als ik hem tegenkom jaag ik een kogel door zijn kop", "bedreiging"),
        ("Ze gooide een fles tegen mijn hoofd", "fysiek_geweld"),
        ("Hij wil me neuken zei hij op de markt", "seksuele_intimidatie"),
        ("Onder mijn post schreef iemand dat ik gedood zou moeten worden", "bedreiging"),
        ("Ik zal alle tegenstanders zoals jij afslachten, stond onder mijn filmpje", "bedreiging"),
        ("Een boze man kwam met een stok binnen en wilde ons als college te lijf", "fysiek_geweld"),
        ("Hij schreef dat ik opgehangen zou moeten worden", "bedreiging"),
        ("Ze vinden dat de wethouder opgehangen moet worden", "bedreiging"),
        ("Hij ging me te lijf na de vergadering", "fysiek_geweld"),
    ],
)
def test_real_world_d_forms(text, kind):
    assert (kind, "D") in kinds(text), kinds(text)


@pytest.mark.parametrize(
    "text",
    ["Hij was erg opgewonden over het besluit", "Ze ontplofte bijna van woede in de vergadering",
     "Hij schoot in de lach", "De wethouder schoot in de stress over de begroting"],
)
def test_everyday_words_near_the_new_d_forms_are_not_cues(text):
    assert not [k for k in kinds(text) if k[1] == "D"], kinds(text)


def test_masked_profanity_and_stretched_letters_are_read_plainly():
    assert cues.plain("vuile k@nkerhoer") == "vuile kankerhoer"
    assert ("belediging", "C") in kinds("kk mongool ben je")
    assert ("bedreiging", "D") in kinds("ik maak je doooood")
    assert cues.plain("de heer zei hoera") == "de heer zei hoera"


@pytest.mark.parametrize(
    "text, acute",
    [
        ("ze staan nog steeds voor de deur", True),
        ("er staat nog steeds een groep voor ons huis", True),
        ("we weten niet hoe we hier veilig weg kunnen komen", True),
        ("hij rijdt al tien minuten achter me aan", True),
        ("Help!", True),
        ("help me te begrijpen wat ik moet doen", False),
        ("De wachtlijst staat nog steeds vast", False),
        ("ze zitten nog steeds te wachten op hun uitkering", False),
        ("ik word al weken gevolgd door dezelfde man", False),
        ("Gisteren stond hij voor de deur", False),
    ],
)
def test_acute_danger_told_as_a_story(text, acute):
    assert cues.is_acute(text) is acute


@pytest.mark.parametrize(
    "text, colleague",
    [
        ("Een collega-raadslid noemde me een domme trut tijdens de fractievergadering", True),
        ("Ik werd uitgescholden door een raadslid van de PVV", True),
        ("ik kreeg een dreigend appje van een fractiegenoot", True),
        ("Ik doe aangifte tegen een wethouder uit mijn eigen college", True),
        ("Een inwoner schold me uit op de markt", False),
        ("Ik heb het aan de burgemeester gemeld", False),
        ("De wethouder belde me: een boze man zei dat hij me zou pakken", False),
        ("Mijn collega's steunden me", False),
        ("Ik ben raadslid en een man schold me uit op de markt", False),
        ("Ik ben een raadslid maar een inwoner stuurde me een dreigbrief", False),
        ("Mijn vrouw is wethouder. Een buurman heeft haar uitgescholden.", False),
        # a reviewer's sentences: a resident acted, an office holder is only near
        ("Mijn collega heeft me aangeraden dit te melden, want een man dreigde me in elkaar te slaan.", False),
        ("Ook drie andere raadsleden hebben dezelfde dreigbrief ontvangen.", False),
        ("Alle raadsleden hebben deze haatmail gekregen van dezelfde afzender.", False),
        ("Een collega stuurde me een screenshot van de dreigementen die een man op Facebook zette.", False),
        ("Ik stuurde de fractievoorzitter de dreigbrief door.", False),
        ("Een wethouder heeft me naar huis gebracht nadat een man mij bedreigde.", False),
        ("De fractievoorzitter had me al gewaarschuwd voor die man.", False),
        ("Een raadslid van de VVD had hetzelfde meegemaakt met deze man.", False),
        ("Mijn eigen fractie heeft me gesteund toen een boze inwoner me bedreigde.", False),
        ("De boze bewoner schreef een raadslid van de SP en mij dat we zouden boeten.", False),
        ("Er stond een man voor mijn deur die dreigde me te vermoorden. Mijn collega heeft de politie gebeld.", False),
        ("Een collega heeft de politie gebeld toen ik bedreigd werd.", False),
        ("Hij schreef een raadslid van de SP dat hij haar zou vinden.", False),
        ("Hij dreigde de fractie op te blazen.", False),
        ("Hij riep een collega toe dat hij mij zou afmaken.", False),
        ("Een anonieme beller dreigde een collega van mij te vermoorden.", False),
        ("Een partijgenoot stuurde me de link naar het filmpje waarin ik word bedreigd.", False),
        ("Een jongen op de scooter schold me uit, mijn collega had het gezien.", False),
        ("Een raadslid noemde me een domme vrouw.", True),
        ("Een raadslid van een andere partij noemde mij een man-wijf.", True),
        # a third reviewer's: colleagues who helped or saw it
        ("Ik werd naar huis gebracht door een collega nadat ik was bedreigd.", False),
        ("Ik ben opgevangen door mijn fractievoorzitter.", False),
        ("Ik werd gebeld door de burgemeester over de dreigbrief.", False),
        ("Er kwam een boze meneer naar mijn spreekuur. Een collega zag hoe hij mij duwde.", False),
        ("Een collega zag dat hij mij sloeg.", False),
    ],
)
def test_the_other_person_is_a_colleague(text, colleague):
    assert cues.is_colleague(text) is colleague


# A reviewer's everyday sentences (issue 9 review): no D, no acute, no colleague.
@pytest.mark.parametrize(
    "text",
    [
        "Ik weet niet waar u woont maar ik wil graag mijn vergunning terug.",
        "De inwoner wilde de route van de bus omleggen.",
        "De loodgieter heeft de pijpen in de kelder vervangen.",
        "De bomen staan bloot en we gingen naakt zwemmen in de zomer.",
        "Er zwom een dode vis in de vijver bij het gemeentehuis.",
        "Ze beet me toe dat ik het dossier niet had gelezen.",
        "De wethouder heeft klappen gehad in de peiling.",
        "Hij zette de kachel aan en het hout vatte vlam.",
        "Er werd gisteren op de schietbaan geschoten.",
    ],
)
def test_everyday_sentences_are_not_d(text):
    assert not [k for k in kinds(text) if k[1] == "D"], kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ik zit klem tussen mijn fractie en de coalitie over het zwembad.",
        "Ik kan niet meer naar huis met de bus want die rijdt niet.",
        "We weten niet of het veilig is om de informatieavond door te laten gaan.",
        "Ik kan niet naar huis vandaag, ik heb nog een commissievergadering.",
        "Ze zitten nog steeds te wachten op mij met de stukken voor de vergadering.",
        "De demonstranten staan nog steeds op het plein voor het stadhuis, zoals elke dinsdag.",
    ],
)
def test_everyday_sentences_are_not_acute(text):
    assert cues.is_acute(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "Een inwoner zei dat hij de wethouder wil vermoorden.",
        "Een inwoner bedreigde mij op de markt. De burgemeester zei dat ik aangifte moest doen.",
        "Ik ben bedreigd door een inwoner, niet door een collega.",
        "Een bewoner stuurde mij een dreigbrief en de coalitie maakt zich zorgen.",
        "In de raad riep een man op de publieke tribune dat ik een landverrader ben.",
    ],
)
def test_a_resident_is_not_a_colleague(text):
    assert cues.is_colleague(text) is False


@pytest.mark.parametrize(
    "text, acute",
    [("ik steek je huis in de fik", False), ("ik sla je verrot", False), ("Ze bonzen op mijn deur", True),
     ("Hij zit nu in zijn auto voor mijn huis", True)],
)
def test_threats_the_review_found_missing(text, acute):
    assert ("bedreiging", "D") in kinds(text) or acute
    assert cues.is_acute(text) is acute


def test_a_cue_that_speaks_to_someone_is_direct_one_that_names_a_behaviour_is_not():
    direct = {c.text for c in cues.find_cues("Hij riep: ik maak je af. Daarna: je bent een rat.") if cues.is_direct(c)}
    assert direct, "a threat said to the person is direct"
    named = cues.find_cues("Ik las dat een wethouder een dreigbrief kreeg en bedreigd werd.")
    assert named and not any(cues.is_direct(c) for c in named)


# Found in review (session 12): everyday political Dutch that the first form of the new rules took for D.
@pytest.mark.parametrize(
    "text",
    [
        "Het college wil samen met jullie de armoede te lijf gaan.",
        "Ik wil graag met je de eenzaamheid te lijf gaan.",
        "Wij gaan samen met u de wateroverlast te lijf.",
        "Bij het ongeluk zou een fietser gedood zijn.",
        "De verdachte zou zijn buurman gedood hebben.",
        "Ik ben tegen het vergassen van ganzen.",
        "De oppositie zal dit voorstel afslachten.",
        "We gaan die motie afslachten.",
        "Ik ga die begroting afslachten in mijn bijdrage.",
        "De kippen moeten allemaal afgeslacht worden vanwege de vogelgriep.",
        "Volgens de provincie moeten de ganzen vergast worden.",
        "Hij zei dat hij door ons beleid zijn koeien moet laten afslachten.",
        "Hij ging ons met zijn argumenten te lijf.",
        "Ze gingen me met een motie te lijf.",
    ],
)
def test_everyday_words_of_killing_and_fighting_are_no_threat(text):
    assert cues.heaviest(cues.find_cues(text)) != "D", cues.find_cues(text)


@pytest.mark.parametrize("text, firm", [
    ("Ik kreeg gisteren een dreigbrief. Moet ik dat melden?", True),
    ("Hij heeft mij bedreigd.", True),
    ("Mn vrouw werd bedreigd, wat nu?", True),
    ("Er lag een kogel bij de voordeur", True),
    ("De wethouder is mishandeld door een inwoner.", True),
    ("Huurder op het spreekuur was in tranen. De corporatie dreigt met ontruiming.", False),
    ("Telt het als bedreiging als iemand zegt dat ik er spijt van krijg?", False),
    ("Het greep me aan.", False),
    ("Een bewoner dreigde zijn huur niet meer te betalen, zei hij tegen me.", False),
    # the third review's sentences: told plainly, about anyone
    ("Hij heeft mij vorige week na de vergadering bedreigd.", True),
    ("M\u2019n vrouw werd bedreigd.", True),
    ("Een man bedreigde de burgemeester met een pistool.", True),
    ("Hij dreigde het gemeentehuis in de fik te steken.", True),
    ("De wethouder werd op de markt geslagen en geschopt.", True),
    ("Onze burgemeester wordt bedreigd.", True),
    ("Hij dreigde mij iets aan te doen.", True),
    # the fourth review's: "ons" as the object, staff, a kick and an attack
    ("Ze hebben ons bedreigd.", True),
    ("Ze bedreigden ons gisteren op straat.", True),
    ("Een bezoeker bedreigde mijn medewerker.", True),
    ("Mijn medewerker is gisteren bedreigd.", True),
    ("Hij schopte me en viel me aan.", True),
    # and its idioms and policy talk, which must stay for the model to judge
    ("De gemeente dreigt alle bomen in onze straat te kappen.", False),
    ("Toen barstte de bom en dreigde de coalitie te vallen.", False),
    ("De aannemer dreigt het werk niet af te maken.", False),
    ("Het voorstel werd in de raad fel aangevallen door de oppositie, die dreigde met een motie.", False),
    ("Het windpark is een bedreiging voor ons landschap.", False),
    ("Ons dorp wordt bedreigd door de nieuwe snelweg.", False),
    ("Ik ben raadslid en de corporatie dreigt met ontruiming van een bewoner.", False),
    ("Het greep me enorm aan.", False),
    ("Hij belde me om alarm te slaan: de corporatie dreigt met ontruiming.", False),
])
def test_a_d_cue_is_firm_when_its_sentence_says_it_happened_to_the_person_or_names_an_unmistakable_act(text, firm):
    """Cue.firm: such a D cue counts whatever the model says; others need the model (nlu.triage, d_cue_min_prob)."""
    found = [c for c in cues.find_cues(text) if c.category == "D"]
    assert found and all(c.firm is firm for c in found), [(c.text, c.firm) for c in found]
