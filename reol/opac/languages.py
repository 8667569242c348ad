"""Names for the MARC (ISO 639-2) language codes a school library meets, in the reader's language.

Records say ``dan``, ``ita`` or ``ger``; a child should read "Danish", "Italian", "German" (or
"Dansk", "Italiensk", "Tysk"). Where Django's own list of languages has the name we use the same
English text, so Django's catalogues translate it too; the rest are Reol's own strings. Both the
bibliographic (``ger``, ``fre``) and the terminology (``deu``, ``fra``) codes are here. A code
that is not here is shown as it is, upper-cased, so it still reads as a code and not as a word.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

NAMES: dict[str, Promise] = {
    # The Nordic languages first: they are most of every collection.
    "dan": _("Danish"),
    "nor": _("Norwegian"),
    "nob": _("Norwegian Bokmål"),
    "nno": _("Norwegian Nynorsk"),
    "swe": _("Swedish"),
    "fin": _("Finnish"),
    "ice": _("Icelandic"),
    "isl": _("Icelandic"),
    "fao": _("Faroese"),
    "kal": _("Greenlandic"),
    "sme": _("Northern Sami"),
    "smi": _("Sami"),
    "eng": _("English"),
    "ger": _("German"),
    "deu": _("German"),
    "fre": _("French"),
    "fra": _("French"),
    "spa": _("Spanish"),
    "ita": _("Italian"),
    "por": _("Portuguese"),
    "dut": _("Dutch"),
    "nld": _("Dutch"),
    "lat": _("Latin"),
    "gre": _("Greek"),
    "ell": _("Greek"),
    "pol": _("Polish"),
    "rus": _("Russian"),
    "ukr": _("Ukrainian"),
    "lit": _("Lithuanian"),
    "lav": _("Latvian"),
    "est": _("Estonian"),
    "cze": _("Czech"),
    "ces": _("Czech"),
    "slo": _("Slovak"),
    "slk": _("Slovak"),
    "hun": _("Hungarian"),
    "rum": _("Romanian"),
    "ron": _("Romanian"),
    "bul": _("Bulgarian"),
    "hrv": _("Croatian"),
    "srp": _("Serbian"),
    "bos": _("Bosnian"),
    "alb": _("Albanian"),
    "sqi": _("Albanian"),
    "tur": _("Turkish"),
    "ara": _("Arabic"),
    "per": _("Persian"),
    "fas": _("Persian"),
    "kur": _("Kurdish"),
    "ckb": _("Central Kurdish (Sorani)"),
    "pus": _("Pashto"),
    "urd": _("Urdu"),
    "hin": _("Hindi"),
    "pan": _("Punjabi"),
    "tam": _("Tamil"),
    "ben": _("Bengali"),
    "som": _("Somali"),
    "tir": _("Tigrinya"),
    "amh": _("Amharic"),
    "swa": _("Swahili"),
    "heb": _("Hebrew"),
    "vie": _("Vietnamese"),
    "tha": _("Thai"),
    "chi": _("Chinese"),
    "zho": _("Chinese"),
    "jpn": _("Japanese"),
    "kor": _("Korean"),
    "sgn": _("Sign language"),
    "mul": _("Several languages"),
    "und": _("Unknown language"),
    "zxx": _("No words (for example music)"),
}


def language_name(code: str) -> str:
    """The language of a MARC code, named in the reader's language ("ita" → "Italian")."""
    name = NAMES.get(code.strip().lower())
    return str(capfirst(str(name))) if name is not None else code.upper()
