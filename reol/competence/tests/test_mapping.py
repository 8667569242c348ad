"""The needs analysis: mean gaps per area and group, the largest first; groups under the
network's smallest size show no figures; the framework is editable in three languages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from conftest import PASSWORD
from reol.competence import access, selectors
from reol.competence.services import mapping, networks
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def _answer(person, survey, network, place, weak: str, gap: int = 3):  # type: ignore[no-untyped-def]
    answers = {
        a.pk: mapping.Answer(1, 1 + gap, wish=True) if a.code == weak else mapping.Answer(3, 3)
        for a in network.areas.all()
    }
    return mapping.answer_survey(person, survey, place, answers)


@pytest.fixture
def survey(net):  # type: ignore[no-untyped-def]
    s = mapping.create_survey(net.coordinator, net.network, title="Kortlægning 2027")
    mapping.set_survey_status(net.coordinator, s, "open")
    return s


def test_the_default_framework_in_three_languages(net):
    areas = list(net.network.areas.all())
    assert [a.code for a in areas][:2] == ["cooperation", "politics"]
    assert len(areas) == 7
    reading = net.network.areas.get(code="reading")
    with translation.override("da"):
        assert reading.name == "Læsefremme"
    with translation.override("nb"):
        assert reading.name == "Lesefremming"
    networks.save_area(
        net.coordinator,
        net.network,
        code="reading",
        name_da="Læselyst",
        name_nb="Leselyst",
        name_en="Reading for pleasure",
        area=reading,
    )
    reading.refresh_from_db()
    assert reading.name_en == "Reading for pleasure"
    with pytest.raises(ValidationError):
        networks.save_area(
            net.coordinator, net.network, code="reading", name_da="x", name_nb="x", name_en="x"
        )


def test_small_groups_are_suppressed_and_the_weakest_area_comes_first(net, survey):
    county = access.Workplace(library=net.county)
    for person in net.county_staff:  # five at the county library
        _answer(person, survey, net.network, county, "digital-tools")
    w = net.world
    _answer(
        w.librarian_a,
        survey,
        net.network,
        access.workplaces(w.librarian_a, net.network)[0],
        "reading",
        gap=4,
    )
    by_library = selectors.needs_analysis(survey, "library")
    groups = {g.name: g for g in by_library.groups}
    assert groups["Amtsbiblioteket"].answers == 5 and not groups["Amtsbiblioteket"].suppressed
    assert groups["Nordskolen"].suppressed and groups["Nordskolen"].cells == [None] * 7
    top_area, top_cell = by_library.ranking[0]
    assert top_area.code == "digital-tools"
    # (5 × 3 + 1 × 0) / 6 = 2.5; reading: 4 / 6 = 0.7
    assert top_cell.gap == Decimal("2.5") and top_cell.band == "large" and top_cell.wishes == 5
    assert dict((a.code, c.gap) for a, c in by_library.ranking)["reading"] == Decimal("0.7")
    by_municipality = selectors.needs_analysis(survey, "municipality")
    assert {g.name: g.suppressed for g in by_municipality.groups} == {
        "(no municipality)": False,
        "Solbjerg Kommune": True,
    }


def test_four_answers_show_no_figures_anywhere(net, survey, client):
    county = access.Workplace(library=net.county)
    for person in net.county_staff[:4]:
        _answer(person, survey, net.network, county, "digital-tools")
    result = selectors.needs_analysis(survey, "network")
    assert result.ranking == [] and result.groups[0].suppressed
    client.login(username="koord", password=PASSWORD)
    page = client.get(
        f"/staff/competence/surveys/{survey.pk}/analysis/?by=network"
    ).content.decode()
    assert "fewer than 5" in page and "Largest gap" not in page


def test_a_closed_survey_takes_no_answers(net, survey):
    mapping.set_survey_status(SYSTEM, survey, "closed")
    with pytest.raises(ValidationError):
        _answer(
            net.county_staff[0],
            survey,
            net.network,
            access.Workplace(library=net.county),
            "reading",
        )
    with pytest.raises(ValidationError):
        mapping.set_survey_status(SYSTEM, survey, "open")
