"""One date format per language, everywhere (settings.FORMAT_MODULE_PATH points here).

Templates write ``|date:"DATE_FORMAT"`` or ``|date:"SHORT_DATE_FORMAT"`` and Python code
``formats.date_format(value)``; both names give the same, so a date reads the same on every
page, mail and PDF: "4 Jan 2027" in English, "4. jan. 2027" in Danish and Norwegian (``N``
gives the abbreviations of the language's own style: "jan.", "marts", "maj", "sep."). A day
without its year (a calendar's week rows) is MONTH_DAY_FORMAT: "4 Jan", "4. jan.".
Input formats are left to Django's locale files.
"""
