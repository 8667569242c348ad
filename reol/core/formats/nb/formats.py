"""Norwegian dates: 4. jan. 2027 (see reol/core/formats/__init__.py)."""

DATE_FORMAT = "j. N Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j. N Y H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j. N"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
