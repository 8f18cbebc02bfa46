"""The operator's texts: today's wording by default (German and English), an edit shows on the
page at once and in the admin's preview before it is saved, and a second operator's start page and
certificate show its own texts and none of the first operator's."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from certificates.render import certificate_html
from portal.operator import demo as second_operator
from portal.operator.defaults import BY_KEY
from portal.operator.models import OperatorText
from portal.operator.texts import text
from tests.certificates.test_render import certificate_for
from tests.factories import CohortFactory, ProgrammeFactory, UserFactory
from tests.portal.test_operator_names import CASE_INSENSITIVE, NAMES

pytestmark = pytest.mark.django_db

# The default texts replace these messages of the catalogue, word for word in both languages.
CATALOGUE = {
    "programme.tagline": "Qualifizierungsprogramm des Landes Brandenburg",
    "start.title": "Smart City Manager:in – die digitale Transformation in Ihrer Kommune gestalten",
    "start.intro": (
        "Das Land Brandenburg qualifiziert Beschäftigte aus Stadt-, Gemeinde- und Amtsverwaltungen dafür, "
        "den digitalen Wandel in ihrer Kommune zu steuern. Die Digitalisierung ist dabei weit mehr als eine "
        "technische Aufgabe: Sie verändert, wie sich Städte entwickeln und wie Verwaltungen in allen "
        "Fachbereichen arbeiten."
    ),
    "help.who_can_apply": (
        "Beschäftigte brandenburgischer Städte, Gemeinden und Ämter, die die Digitalisierung oder "
        "Stadtentwicklung ihrer Kommune mitgestalten. Beschäftigte anderer öffentlicher Stellen, etwa eines "
        "Landkreises, nennen ihre Stelle im Formular unter „Andere öffentliche Stelle“."
    ),
    "mail.signature": "Ihr Team Smart City Manager:in",
    "certificate.subtitle": "Qualifizierungsprogramm „Smart City Manager:in“ des Landes Brandenburg",
}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_a_default_text_is_todays_wording_in_german_and_english(key):
    message = CATALOGUE[key]
    assert BY_KEY[key].de == message
    with translation.override("en"):
        assert BY_KEY[key].en == translation.gettext(message) != message
    assert text(key, language="de") == message
    assert text(key, language="en") == BY_KEY[key].en


def test_the_start_page_prints_the_default_texts_in_both_languages(client):
    ProgrammeFactory()
    page = client.get(reverse("home"), headers={"accept-language": "de"}).content.decode()
    assert CATALOGUE["start.intro"] in page and CATALOGUE["programme.tagline"] in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("home")).content.decode()
    assert "The State of Brandenburg trains staff from town, municipal and Amt administrations" in english
    assert "Qualification programme of the State of Brandenburg" in english


def test_an_edited_text_shows_on_the_page_at_once_and_again_after_the_next_edit(client, settings):
    ProgrammeFactory()
    client.get(reverse("home"))  # the texts are cached now
    edit = OperatorText.objects.create(
        state=settings.PORTAL_STATE, key="start.intro", text_de="Ein neuer Einstieg.", text_en=""
    )
    page = client.get(reverse("home")).content.decode()
    assert "Ein neuer Einstieg." in page and CATALOGUE["start.intro"] not in page
    edit.text_de = "Ein zweiter Einstieg."
    edit.save()
    assert "Ein zweiter Einstieg." in client.get(reverse("home")).content.decode()
    edit.delete()
    assert CATALOGUE["start.intro"] in client.get(reverse("home")).content.decode()


def test_an_edit_without_english_shows_the_german_text_on_the_english_page(settings):
    OperatorText.objects.create(state=settings.PORTAL_STATE, key="mail.signature", text_de="Ihr Kursbüro")
    assert text("mail.signature", language="en") == "Ihr Kursbüro"
    assert text("mail.signature", language="en", state="05") == BY_KEY["mail.signature"].en


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_preview_shows_the_typed_text_and_saves_nothing(admin_client, settings):
    response = admin_client.post(
        reverse("admin:portal_operatortext_add"),
        {
            "state": settings.PORTAL_STATE,
            "key": "start.intro",
            "text_de": "Erster Absatz der Vorschau.\n\nZweiter Absatz.",
            "text_en": "",
            "_vorschau": "Vorschau",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<p>Erster Absatz der Vorschau.</p><p>Zweiter Absatz.</p>" in page.replace("\n", "")
    assert 'name="text_de"' in page and "Erster Absatz der Vorschau." in page  # nothing typed is lost
    assert not OperatorText.objects.exists()


def test_the_preview_of_a_saved_text_shows_the_edit_not_the_saved_text(admin_client, settings):
    saved = OperatorText.objects.create(state=settings.PORTAL_STATE, key="start.title", text_de="Gespeichert")
    url = reverse("admin:portal_operatortext_change", args=[saved.pk])
    page = admin_client.post(
        url, {"state": saved.state, "key": saved.key, "text_de": "Geändert", "text_en": "", "_vorschau": "1"}
    ).content.decode()
    assert "<p>Geändert</p>" in page
    saved.refresh_from_db()
    assert saved.text_de == "Gespeichert"


def test_staff_without_the_permission_cannot_preview(client, settings):
    client.force_login(UserFactory(is_staff=True))
    response = client.post(
        reverse("admin:portal_operatortext_add"),
        {"state": settings.PORTAL_STATE, "key": "start.title", "text_de": "x", "_vorschau": "1"},
    )
    assert response.status_code == 403


def test_the_missing_texts_are_created_with_their_defaults(admin_client, settings):
    OperatorText.objects.create(state=settings.PORTAL_STATE, key="start.title", text_de="Eigener Titel")
    admin_client.post(reverse("admin:portal_operatortext_create_missing"))
    rows = {row.key: row for row in OperatorText.objects.filter(state=settings.PORTAL_STATE)}
    assert set(rows) == set(BY_KEY)
    assert rows["start.title"].text_de == "Eigener Titel"
    assert rows["start.intro"].text_en == BY_KEY["start.intro"].en


# --- a second operator ---------------------------------------------------------------------------

# The first operator's own texts (the programme's name is both operators').
FIRST_OPERATORS_TEXTS = [
    default.de for default in BY_KEY.values() if default.de != second_operator.TEXTS[default.key][0]
]


def _first_operators_traces(page: str) -> list[str]:
    traces = [match.group(0) for match in NAMES.finditer(page)]
    traces += [match.group(0) for match in CASE_INSENSITIVE.finditer(page)]
    return traces + [message[:40] for message in FIRST_OPERATORS_TEXTS if message in page]


@pytest.fixture
def second_programme(settings):
    settings.PORTAL_STATE = second_operator.STATE
    settings.PORTAL_PROGRAMME = second_operator.PROGRAMME_SLUG
    second_operator.seed_texts()
    return ProgrammeFactory(slug=second_operator.PROGRAMME_SLUG, state=second_operator.STATE)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_second_operators_start_page_shows_only_its_own_texts(client, second_programme, language):
    ProgrammeFactory()  # the first operator's programme shares the database
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("home")).content.decode()
    own = {key: pair[0 if language == "de" else 1] for key, pair in second_operator.TEXTS.items()}
    for key in ("programme.tagline", "start.title", "start.intro", "start.audience", "operator.name"):
        assert escape(own[key]) in page, key
    assert _first_operators_traces(page) == []


def test_the_second_operators_certificate_shows_its_texts_and_none_of_the_firsts(second_programme):
    cohort = CohortFactory(programme=second_programme)
    certificate = certificate_for(cohort, municipality_name="Beispielstadt")
    html = certificate_html(certificate, "de")
    for key in ("certificate.subtitle", "operator.name", "partner.name", "evaluator.name"):
        assert second_operator.TEXTS[key][0] in html, key
    assert "Düsseldorf, den" in html
    assert "Erika Beispiel" in html and "Otto Normal" in html
    assert _first_operators_traces(html) == []


def test_the_first_operators_certificate_keeps_its_texts_beside_a_second_operator():
    second_operator.seed_texts()
    certificate = certificate_for(CohortFactory())
    html = certificate_html(certificate, "en")
    assert BY_KEY["certificate.subtitle"].en in html
    assert re.search(r"Potsdam, \d", html) and "Potsdam, den" not in html
    assert "Dr Petra Beispiel" in html and "Düsseldorf" not in html


def test_a_text_saved_by_another_process_is_read_again_by_this_one(settings):
    from django.core.cache import cache

    from portal.operator import texts

    edit = OperatorText.objects.create(state=settings.PORTAL_STATE, key="start.title", text_de="Erster Titel")
    assert text("start.title", language="de") == "Erster Titel"  # kept by this process now
    OperatorText.objects.filter(pk=edit.pk).update(text_de="Zweiter Titel")  # as another process would
    assert text("start.title", language="de") == "Erster Titel"
    cache.set(texts.VERSION_KEY.format(state=edit.state), "another process saved", None)
    assert text("start.title", language="de") == "Zweiter Titel"


def test_the_editors_group_edits_operator_texts_and_nothing_else(client, settings):
    from django.contrib.auth.models import Group

    from portal.accounts import roles

    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=roles.OPERATOR_TEXT_EDITORS))
    assert roles.OPERATOR_TEXT_EDITORS == "Redaktion Betreibertexte"
    saved = OperatorText.objects.create(state=settings.PORTAL_STATE, key="start.title", text_de="Alt")
    client.force_login(editor)
    change = reverse("admin:portal_operatortext_change", args=[saved.pk])
    assert client.get(reverse("admin:portal_operatortext_changelist")).status_code == 200
    assert client.get(change).status_code == 200
    form = {"state": saved.state, "key": saved.key, "text_de": "Neu", "text_en": ""}
    preview = client.post(change, {**form, "_vorschau": "1"})
    assert preview.status_code == 200 and "<p>Neu</p>" in preview.content.decode()
    assert client.post(change, form).status_code == 302
    saved.refresh_from_db()
    assert saved.text_de == "Neu"
    # The texts this state has not edited yet are created as their defaults; none is deleted.
    assert client.post(reverse("admin:portal_operatortext_create_missing")).status_code == 302
    assert OperatorText.objects.filter(state=settings.PORTAL_STATE).count() > 1
    saved.refresh_from_db()
    assert saved.text_de == "Neu"
    assert (
        client.post(reverse("admin:portal_operatortext_delete", args=[saved.pk]), {"post": "yes"}).status_code
        == 403
    )
    for refused in ("admin:applications_application_changelist", "admin:cohorts_cohort_changelist"):
        assert client.get(reverse(refused)).status_code == 403, refused
