"""The words and codes the synthetic catalogue (``reol.catalog.sample``) draws from: shelving
locations, kinds of material and their MARC formats, per-language vocabularies (names, titles,
publishers, notes), topics with their classification, genres and audiences. Data only; the
generator that combines them is in ``sample.py``.
"""

from __future__ import annotations

from typing import Any


def _w(words: str) -> list[str]:
    """A vocabulary list written as "one|two|three"."""
    return words.split("|")


# Koha-style shelving locations (952 $c); a benchmark or demo school creates these.
LOCATION_CODES = {
    "skon": "Skønlitteratur",
    "fag": "Faglitteratur",
    "let": "Letlæsning",
    "lyd": "Lydbøger",
    "film": "Film",
    "spil": "Spil",
    "udstyr": "Udstyr",
    "mag": "Magasin",
}

# What kinds of material, how often (weights of 1000).
KINDS = [
    ("fiction", 430),
    ("nonfiction", 250),
    ("easy", 60),
    ("ebook", 50),
    ("audiobook", 100),
    ("film", 60),
    ("boardgame", 35),
    ("device", 15),
]

# --- Vocabulary, per language -----------------------------------------------------------------

LANGS: dict[str, dict[str, Any]] = {
    "dan": {
        "weight": 60,
        "country": "dk ",
        "source": "DK-870970",
        "isbn_group": "87",
        "places": ["København", "Aarhus", "Odense", "Viby J.", "Frederiksberg"],
        "publishers": [
            "Gyldendal",
            "Carlsen",
            "Alvilda",
            "Politiken",
            "Lindhardt og Ringhof",
            "Høst & Søn",
            "Turbine",
            "Forlaget Alinea",
            "Special-pædagogisk forlag",
            "Forlaget Flachs",
            "People's Press",
            "Rosinante",
        ],
        "first": _w(
            "Anne|Bjarne|Cecilie|Dorte|Esben|Frida|Gitte|Hanne|Ida|Jesper|Kim|Lotte|Mette"
            "|Niels|Ole|Pia|Rasmus|Søren|Trine|Ulla|Vibeke|Åse|Bent|Jørgen|Kåre"
        ),
        "last": _w(
            "Andersen|Bødker|Christensen|Dahl|Eriksen|Frøkjær|Grøn|Holm|Iversen|Jørgensen"
            "|Kirkegaard|Lund|Møller|Nørgaard|Olsen|Poulsen|Rasmussen|Sørensen|Thomsen"
            "|Vestergaard|Aakjær"
        ),
        "heroes": ["Alfons", "Ellen", "Sofus", "Mille", "Malte", "Rosa", "Villads", "Ronja"],
        "nouns": _w(
            "dragen|hemmeligheden|skoven|spøgelset|tidsmaskinen|øen|kometen|piraterne"
            "|hesten|robotten|vulkanen|fyrtårnet|skatten|ulven|stjernen|kongen|mumien"
            "|trolden"
        ),
        "adjs": ["mørke", "hemmelige", "sidste", "forsvundne", "store", "tavse", "glemte"],
        "patterns": [
            "{hero} og {noun}",
            "Den {adj} {noun2}",
            "{hero} redder verden",
            "Jagten på {noun}",
            "Hvem stjal {noun}?",
            "Nat i {noun}",
        ],
        "nonfiction": [
            "Alt om {topic}",
            "Min første bog om {topic}",
            "Sådan virker {topic}",
            "Fakta om {topic}",
            "Vi undersøger {topic}",
        ],
        "relators": {
            "author": "forfatter",
            "illustrator": "illustrator",
            "translator": "oversætter",
            "narrator": "indlæser",
            "director": "instruktør",
            "designer": "spildesigner",
        },
        "pages": "{n} sider",
        "ill": "ill. (nogle i farver)",
        "edition": "{n}. udgave",
        "reprint": "{n}. oplag",
        "series": ["Dingo", "Læs selv", "Fakta for begyndere", "Gys", "Spektrum", "Ulvepak"],
        "story_start": ["En spændende fortælling om", "En sjov og rørende historie om", "Gyser om"],
        "story_end": [
            "der må finde modet frem.",
            "og et venskab, der bliver sat på prøve.",
            "Til oplæsning og selvlæsning.",
        ],
        "fact_start": [
            "Letlæst fagbog om",
            "Fagbog for mellemtrinnet om",
            "Alt hvad du vil vide om",
        ],
        "fact_end": [
            "med mange billeder og små opgaver.",
            "Bogen har ordforklaringer og register bagest.",
        ],
        "online": "1 online ressource",
        "age": "Fra {a} år",
        "age_range": "{a}-{b} år",
        "otherwise": "Alder: {a}-{b} år",
        "content": ("tekst", "uformidlet", "bind"),
    },
    "nob": {
        "weight": 20,
        "country": "no ",
        "source": "NO-TrBIB",
        "isbn_group": "82",
        "places": ["Oslo", "Bergen", "Trondheim", "Stavanger"],
        "publishers": [
            "Cappelen Damm",
            "Aschehoug",
            "Gyldendal Norsk Forlag",
            "Det Norske Samlaget",
            "Vigmostad & Bjørke",
            "Omnipax",
            "Mangschou",
        ],
        "first": _w(
            "Astrid|Bjørn|Eirik|Gro|Håkon|Ingvild|Jostein|Kari|Lars|Marit|Nils|Oddny|Per"
            "|Ragnhild|Sigrid|Tore|Øystein"
        ),
        "last": _w(
            "Aasen|Berg|Dahle|Fjeld|Haugen|Johansen|Kristiansen|Lie|Moe|Nygård|Solberg"
            "|Strand|Tveit|Vik|Østby"
        ),
        "heroes": ["Pelle", "Ida", "Kaptein Sabeltann", "Kristoffer", "Ludvig", "Sol"],
        "nouns": _w(
            "dragen|hemmeligheten|skogen|spøkelset|tidsmaskinen|øya|kometen|fjellet|hesten"
            "|roboten|trollet|fyret|skatten"
        ),
        "adjs": ["mørke", "hemmelige", "siste", "forsvunne", "store", "glemte"],
        "patterns": [
            "{hero} og {noun}",
            "Det {adj} {noun2}",
            "Jakten på {noun}",
            "Hvem stjal {noun}?",
            "Natt i {noun}",
        ],
        "nonfiction": [
            "Alt om {topic}",
            "Min første bok om {topic}",
            "Slik virker {topic}",
            "Fakta om {topic}",
        ],
        "relators": {
            "author": "forfatter",
            "illustrator": "illustratør",
            "translator": "oversetter",
            "narrator": "innleser",
            "director": "regissør",
            "designer": "spilldesigner",
        },
        "pages": "{n} sider",
        "ill": "illustrasjoner i farger",
        "edition": "{n}. utgave",
        "reprint": "{n}. opplag",
        "series": ["Lesehesten", "Leseløve", "Grøsser", "Faktabok for barn", "Superlesere"],
        "story_start": ["En spennende fortelling om", "En morsom og rørende historie om"],
        "story_end": [
            "som må finne motet.",
            "og et vennskap som settes på prøve.",
            "For høytlesning og egenlesning.",
        ],
        "fact_start": ["Lettlest fagbok om", "Fagbok for mellomtrinnet om"],
        "fact_end": ["med mange bilder og små oppgaver.", "Med ordliste og register."],
        "online": "1 nettressurs",
        "age": "Fra {a} år",
        "age_range": "{a}-{b} år",
        "otherwise": "Alder: {a}-{b} år",
        "content": ("tekst", "uformidlet", "bind"),
    },
    "eng": {
        "weight": 20,
        "country": "xxk",
        "source": "Uk",
        "isbn_group": "1",
        "places": ["London", "New York", "Oxford", "Edinburgh", "Toronto"],
        "publishers": [
            "Puffin",
            "Scholastic",
            "Walker Books",
            "Usborne",
            "Bloomsbury",
            "HarperCollins Children's Books",
            "Macmillan Children's Books",
            "DK",
        ],
        "first": _w(
            "Alice|Ben|Charlotte|David|Eleanor|Frank|Grace|Harry|Isla|Jack|Katherine|Liam"
            "|Mia|Oliver|Rose|Samuel"
        ),
        "last": _w(
            "Adams|Brown|Clarke|Davies|Evans|Fletcher|Green|Hughes|Jones|King|Lewis|Morgan"
            "|O'Brien|Patel|Roberts|Walsh"
        ),
        "heroes": ["Molly", "Tom", "Captain Flint", "Ruby", "Max", "Ada", "Finn"],
        "nouns": _w(
            "the dragon|the secret|the forest|the ghost|the time machine|the island"
            "|the comet|the pirates|the robot|the volcano|the treasure"
        ),
        "adjs": ["dark", "secret", "last", "lost", "great", "silent", "forgotten"],
        "patterns": [
            "{hero} and {noun}",
            "The {adj} {noun2}",
            "The hunt for {noun}",
            "Who stole {noun}?",
            "A night on {noun}",
        ],
        "nonfiction": [
            "All about {topic}",
            "My first book of {topic}",
            "How {topic} work",
            "Amazing facts about {topic}",
        ],
        "relators": {
            "author": "author",
            "illustrator": "illustrator",
            "translator": "translator",
            "narrator": "narrator",
            "director": "film director",
            "designer": "game designer",
        },
        "pages": "{n} pages",
        "ill": "colour illustrations",
        "edition": "{n}th edition",
        "reprint": "Reprinted {n} times",
        "series": ["Oxford Reading Tree", "Horrid Henry", "DK Eyewitness", "Usborne Beginners"],
        "story_start": ["An exciting story about", "A funny, moving tale of"],
        "story_end": [
            "who must find their courage.",
            "and a friendship put to the test.",
            "Perfect for reading aloud.",
        ],
        "fact_start": ["An easy reader about", "A non-fiction introduction to"],
        "fact_end": ["with photographs, a glossary and an index.", "Full of facts and activities."],
        "online": "1 online resource",
        "age": "Ages {a} and up",
        "age_range": "Ages {a}-{b} years",
        "otherwise": "Interest age {a}-{b} years",
        "content": ("text", "unmediated", "volume"),
    },
}

# Non-fiction topics: (Danish, Norwegian, English, DK5, DDC).
TOPICS = [
    ("vulkaner", "vulkaner", "volcanoes", "55.3", "551.21"),
    ("dinosaurer", "dinosaurer", "dinosaurs", "56.8", "567.9"),
    ("rummet", "verdensrommet", "space", "52", "520"),
    ("hajer", "haier", "sharks", "59.6", "597.3"),
    ("vikingerne", "vikingene", "the Vikings", "96.3", "948.022"),
    ("kroppen", "kroppen", "the human body", "61.1", "612"),
    ("klimaet", "klimaet", "the climate", "55.1", "551.6"),
    ("heste", "hester", "horses", "63.6", "636.1"),
    ("fodbold", "fotball", "football", "79.64", "796.334"),
    ("programmering", "programmering", "coding", "68.3", "005.1"),
    ("2. verdenskrig", "andre verdenskrig", "the Second World War", "99.4", "940.53"),
    ("insekter", "insekter", "insects", "59.57", "595.7"),
    ("Egypten", "Egypt", "ancient Egypt", "93.2", "932"),
    ("regnskoven", "regnskogen", "the rainforest", "57.4", "577.34"),
    ("vejret", "været", "the weather", "55.5", "551.5"),
]
GENRES = {
    "dan": _w("fantasy|gys|krimi|dyrefortællinger|venskab|humor|eventyr"),
    "nob": _w("fantasy|grøssere|krim|dyrefortellinger|vennskap|humor|eventyr"),
    "eng": _w(
        "Fantasy fiction|Horror stories|Detective and mystery stories|Animals|Friendship"
        "|Humorous stories|Adventure stories"
    ),
}
FICTION_SUBJECTS = {
    "dan": ["skolen", "familien", "mobning", "heste", "drager", "rummet", "fodbold", "spøgelser"],
    "nob": ["skolen", "familien", "mobbing", "hester", "drager", "verdensrommet", "fotball"],
    "eng": ["Schools", "Families", "Bullying", "Horses", "Dragons", "Outer space", "Soccer"],
}
SUBTITLES = {
    "dan": ["roman", "en gyser", "fortælling"],
    "nob": ["roman", "en grøsser"],
    "eng": ["a novel", "a story of friendship", "a mystery"],
}
GAMES = ["Ticket to Ride", "Carcassonne", "Dixit", "Kloge Åge", "Alias Junior", "Labyrinth"]
DEVICES = ["iPad (9. generation)", "Chromebook", "Micro:bit klassesæt", "GoPro Hero", "Bee-Bot"]
FILMS = ["Vitello", "Antboy", "Ronja Røverdatter", "Min søsters børn", "Paddington", "Coco"]

# 008/22 audience and the ages it covers.
AUDIENCES = [("a", 3, 5), ("b", 6, 8), ("c", 9, 12), ("d", 13, 16), ("j", 7, 14)]

# Per kind: leader/06 and /07, what 336/337/338 say (None: the language's words for a printed
# book), the 952 $c location and $y item type.
_OBJECT = ("three-dimensional form", "tdf", "unmediated", "n", "object", "nr")
FORMATS: dict[str, tuple[str, str, tuple[str, ...] | None, str, str]] = {
    "fiction": ("a", "m", None, "skon", "BOG"),
    "nonfiction": ("a", "m", None, "fag", "BOG"),
    "easy": ("a", "m", None, "let", "BOG"),
    "ebook": ("a", "m", ("text", "txt", "computer", "c", "online resource", "cr"), "mag", "EBOG"),
    "audiobook": ("i", "m", ("spoken word", "spw", "audio", "s", "audio disc", "sd"), "lyd", "LYD"),
    "film": (
        "g",
        "m",
        ("two-dimensional moving image", "tdi", "video", "v", "videodisc", "vd"),
        "film",
        "FILM",
    ),
    "boardgame": ("r", "m", _OBJECT, "spil", "SPIL"),
    "device": ("r", "m", _OBJECT, "udstyr", "UDST"),
}
