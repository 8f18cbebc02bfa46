"""PORTAL_STATE alone chooses the operator: without PORTAL_PROGRAMME the portal runs the newest
programme of its state ("smart-city-manager" while the state has none); an explicit
PORTAL_PROGRAMME still wins. Choosing costs no query of its own."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from cohorts.models import Programme
from cohorts.selectors import programme_municipalities, programme_slug
from portal.operator import demo as second_operator
from tests.factories import CohortFactory, ModuleFactory, ProgrammeFactory
from tests.portal.test_operator_texts import _first_operators_traces

pytestmark = pytest.mark.django_db


def portal_programme() -> str | None:
    return Programme.objects.filter(slug=programme_slug()).values_list("slug", flat=True).first()


@pytest.fixture
def two_operators(settings):
    settings.PORTAL_PROGRAMME = ""
    first = ProgrammeFactory()
    second = ProgrammeFactory(slug=second_operator.PROGRAMME_SLUG, state=second_operator.STATE)
    second_operator.seed_texts()
    ModuleFactory(programme=first, position=1, title="Modul des ersten Betreibers")
    ModuleFactory(programme=second, position=1, title="Modul des zweiten Betreibers")
    CohortFactory(programme=first, title="Durchgang des ersten Betreibers")
    CohortFactory(programme=second, title="Durchgang des zweiten Betreibers")
    return first, second


def test_the_state_alone_shows_the_second_programme_and_its_texts_only(client, settings, two_operators):
    settings.PORTAL_STATE = second_operator.STATE
    page = client.get(reverse("home")).content.decode()
    assert "Modul des zweiten Betreibers" in page and "Durchgang des zweiten Betreibers" in page
    assert "des ersten Betreibers" not in page
    for key in ("programme.tagline", "start.title", "start.intro", "operator.name"):
        assert escape(second_operator.TEXTS[key][0]) in page, key
    assert _first_operators_traces(page) == []


def test_the_first_state_keeps_its_programme(client, settings, two_operators):
    assert settings.PORTAL_STATE == "12"
    assert portal_programme() == "smart-city-manager"
    page = client.get(reverse("home")).content.decode()
    assert "Modul des ersten Betreibers" in page and "des zweiten Betreibers" not in page


def test_an_explicit_programme_still_wins(settings, two_operators):
    settings.PORTAL_STATE = second_operator.STATE
    settings.PORTAL_PROGRAMME = "smart-city-manager"
    assert portal_programme() == "smart-city-manager"
    assert programme_slug() == "smart-city-manager"


def test_the_newest_programme_of_the_state_and_the_fallback(settings, two_operators):
    settings.PORTAL_STATE = "09"
    assert portal_programme() == "smart-city-manager"  # the state has none yet
    ProgrammeFactory(slug="bayern-2024", state="09")
    ProgrammeFactory(slug="bayern-2026", state="09")
    assert portal_programme() == "bayern-2026"


def test_choosing_the_programme_costs_no_query_of_its_own(settings, two_operators, django_assert_num_queries):
    settings.PORTAL_STATE = second_operator.STATE
    with django_assert_num_queries(1):
        assert portal_programme() == second_operator.PROGRAMME_SLUG
    with django_assert_num_queries(1):
        list(programme_municipalities())
