"""A span of days is written one way in every language, in code and in templates."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import translation

from reol.core.formats import days

XMAS = (dt.date(2026, 12, 21), dt.date(2027, 1, 8))
TWO = (dt.date(2026, 12, 15), dt.date(2026, 12, 16))


def test_one_day_two_days_and_a_span_over_new_year_in_each_language():
    expected = {
        "da": ("15. dec. 2026", "15. dec. – 16. dec. 2026", "21. dec. 2026 – 8. jan. 2027"),
        "nb": ("15. des. 2026", "15. des. – 16. des. 2026", "21. des. 2026 – 8. jan. 2027"),
        "en": ("15 Dec 2026", "15 Dec – 16 Dec 2026", "21 Dec 2026 – 8 Jan 2027"),
    }
    for language, (one, two, xmas) in expected.items():
        with translation.override(language):
            assert days(TWO[0], TWO[0]) == one == days(TWO[0], None)
            assert days(*TWO) == two
            assert days(*XMAS) == xmas


def test_the_template_filter_takes_a_moment_as_its_day():
    template = Template("{% load dates %}{{ a|days:b }}|{{ none|days:b }}")
    returned = dt.datetime(2026, 12, 16, 9, 30, tzinfo=dt.UTC)
    with translation.override("en"):
        text = template.render(Context({"a": TWO[0], "b": returned, "none": None}))
    assert text == "15 Dec – 16 Dec 2026|"
