"""The questionnaire after each module: participants answer once, after the module's last
session; nobody sees the answers per person in the portal. The questionnaire is the instrument
``modul-feedback``: its answers are stored like every instrument's."""

import datetime as dt

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohorts.models import Enrollment
from evaluation import instruments, module_instrument, services
from evaluation.models import Answer, WaveResponse
from tests.evaluation.data import group_member
from tests.factories import ModuleFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


def shown() -> str:
    version = module_instrument.current_version()
    return instruments.fingerprint(version, list(version.items.order_by("position", "pk")))


def form_data(**values) -> dict:
    return {"shown": shown(), **{f"item_{key}": value for key, value in values.items()}}


def submit(enrollment, module, at, **answers):
    return services.submit_questionnaire(
        enrollment=enrollment,
        module=module,
        version=module_instrument.current_version(),
        shown=shown(),
        answers=answers,
        at=at,
    )


def stored(enrollment, module) -> dict:
    return {
        answer.item.key: answer.number if answer.number is not None else answer.text
        for answer in Answer.objects.filter(
            response__enrollment=enrollment, response__module=module
        ).select_related("item")
    }


@pytest.fixture
def p5(programme):
    """P5 of cohort A: module 1 and 2 have ended, nothing answered yet."""
    return programme.enrollments["P5"]


@pytest.fixture
def p5_client(client, p5):
    client.force_login(p5.user)
    return client


def test_the_overview_says_which_questionnaire_is_open(client, programme):
    q1 = programme.enrollments["Q1"]
    client.force_login(q1.user)
    response = client.get(reverse("evaluation:questionnaires"))
    assert response.status_code == 200
    page = response.content.decode()
    m1, m2 = programme.modules
    assert reverse("evaluation:questionnaire", args=[m1.pk]) in page
    assert reverse("evaluation:questionnaire", args=[m2.pk]) not in page
    assert "ab 07.03.2023, 14:00 Uhr, nach der letzten Sitzung" in page


def test_the_form_shows_the_items_of_the_current_version_in_both_languages(p5_client, p5, programme):
    url = reverse("evaluation:questionnaire", args=[programme.modules[0].pk])
    page = p5_client.get(url).content.decode()
    assert "Die Inhalte wurden verständlich vermittelt." in page
    assert "5 – trifft voll zu" in page
    assert "keine Angabe" in page
    p5.user.language = "en"
    p5.user.save(update_fields=["language"])
    english = p5_client.get(url).content.decode()
    assert "The content was explained clearly." in english


def test_a_participant_answers_once_after_the_module(p5_client, p5, programme):
    m1 = programme.modules[0]
    url = reverse("evaluation:questionnaire", args=[m1.pk])
    response = p5_client.post(
        url,
        form_data(relevanz="4", verstaendlichkeit="", praxisaufgabe="2", online_format="5", gesamt="3",
                  anmerkungen="  Mehr Zeit für Fragen, bitte.  "),
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == reverse("evaluation:questionnaires")
    record = WaveResponse.objects.get(enrollment=p5, module=m1)
    assert record.invitation is None
    assert record.version.instrument.key == "modul-feedback"
    assert record.submitted_at == programme.now
    assert stored(p5, m1) == {
        "relevanz": 4,
        "praxisaufgabe": 2,
        "online_format": 5,
        "gesamt": 3,
        "anmerkungen": "Mehr Zeit für Fragen, bitte.",
    }
    overview = p5_client.get(reverse("evaluation:questionnaires")).content.decode()
    assert "beantwortet am 01.03.2023" in overview
    # A second time: nothing is changed.
    again = p5_client.post(url, form_data(relevanz="1", anmerkungen="anders"))
    assert again.status_code == 302
    assert stored(p5, m1)["relevanz"] == 4
    assert WaveResponse.objects.filter(enrollment=p5).count() == 1


def test_an_empty_questionnaire_is_not_stored(p5_client, p5, programme):
    url = reverse("evaluation:questionnaire", args=[programme.modules[0].pk])
    response = p5_client.post(url, form_data(anmerkungen="   "))
    assert response.status_code == 200
    assert "Bitte beantworten Sie mindestens eine Frage" in response.content.decode()
    assert not WaveResponse.objects.filter(enrollment=p5).exists()


def test_values_outside_the_scale_are_refused_and_what_was_typed_stays(p5_client, p5, programme):
    url = reverse("evaluation:questionnaire", args=[programme.modules[0].pk])
    response = p5_client.post(url, form_data(relevanz="6", anmerkungen="Bleibt stehen"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_item_relevanz_0"' in page
    assert "Bleibt stehen" in page
    assert not WaveResponse.objects.filter(enrollment=p5).exists()
    with pytest.raises(ValidationError):
        submit(p5, programme.modules[0], programme.now, relevanz=0)
    with pytest.raises(ValidationError, match="höchstens 2000 Zeichen"):
        submit(p5, programme.modules[0], programme.now, anmerkungen="x" * 2001)
    assert submit(p5, programme.modules[0], programme.now, anmerkungen="x" * 2000).pk


def test_a_changed_version_stores_nothing_and_shows_the_current_items(p5_client, p5, programme):
    url = reverse("evaluation:questionnaire", args=[programme.modules[0].pk])
    old = form_data(relevanz="4", anmerkungen="Mein Text")
    version = instruments.new_version(instrument=module_instrument.current_version().instrument)
    version.items.filter(key="gesamt").update(text="Insgesamt hat mir das Modul geholfen.")
    response = p5_client.post(url, old)
    assert response.status_code == 200
    page = response.content.decode()
    assert "inzwischen geändert" in page
    assert "Insgesamt hat mir das Modul geholfen." in page and "Mein Text" in page
    assert not WaveResponse.objects.filter(enrollment=p5).exists()
    assert p5_client.post(url, form_data(relevanz="4")).status_code == 302
    assert WaveResponse.objects.get(enrollment=p5).version == version


def test_the_questionnaire_opens_after_the_last_session_of_the_module(client, programme, time_machine):
    q1 = programme.enrollments["Q1"]
    m2 = programme.modules[1]
    client.force_login(q1.user)
    url = reverse("evaluation:questionnaire", args=[m2.pk])
    response = client.post(url, form_data(relevanz="5"))
    assert response.status_code == 302
    assert not WaveResponse.objects.filter(enrollment=q1).exists()
    with pytest.raises(ValidationError, match="erst nach seiner letzten Sitzung"):
        submit(q1, m2, programme.now, relevanz=5)
    time_machine.move_to(programme.sessions["t2"].ends_at + dt.timedelta(minutes=1), tick=False)
    assert client.post(url, form_data(relevanz="5")).status_code == 302
    assert stored(q1, m2) == {"relevanz": 5}


def test_only_participants_answer_and_only_for_their_own_programme(client, programme):
    other = ModuleFactory(programme=ProgrammeFactory(slug="anderes-programm", title="Anderes"), position=1)
    p5 = programme.enrollments["P5"]
    client.force_login(p5.user)
    assert client.get(reverse("evaluation:questionnaire", args=[other.pk])).status_code == 404
    assert client.get(reverse("evaluation:questionnaire", args=[999999])).status_code == 404

    client.force_login(programme.people["R2"])  # rejected applicant
    assert client.get(reverse("evaluation:questionnaires")).status_code == 404
    assert client.get(reverse("evaluation:questionnaire", args=[programme.modules[0].pk])).status_code == 404

    declined = Enrollment.objects.create(cohort=programme.cohort_a, user=UserFactory(), state="declined")
    with pytest.raises(ValidationError, match="nur Teilnehmer:innen"):
        submit(declined, programme.modules[0], programme.now, relevanz=3)
    with pytest.raises(ValidationError, match="nicht zu Ihrem Programm"):
        submit(p5, other, programme.now, relevanz=3)


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(reverse("evaluation:questionnaires"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_answers_have_no_admin_and_no_view_permission():
    assert WaveResponse not in admin.site._registry
    assert Answer not in admin.site._registry
    assert WaveResponse._meta.default_permissions == ()


def test_evaluators_edit_the_module_questionnaire_like_every_instrument(programme):
    version = module_instrument.current_version()
    assert [item.key for item in module_instrument.current_items()] == [
        "relevanz", "verstaendlichkeit", "praxisaufgabe", "online_format", "gesamt", "anmerkungen"
    ]  # fmt: skip
    assert instruments.is_frozen(version)  # the answers of the test data
    with pytest.raises(ValidationError, match="neue Fassung an"):
        instruments.refuse_change_when_frozen(version)
    successor = instruments.new_version(instrument=version.instrument, note="Frage ergänzt")
    assert not instruments.is_frozen(successor)
    assert module_instrument.current_version() == successor
    assert [item.text for item in module_instrument.current_items()] == [
        item.text for item in version.items.order_by("position", "pk")
    ]


def test_coordinators_see_only_aggregates(client, programme):
    coordinator = group_member("coordinators")
    programme.cohort_a.coordinators.add(coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("evaluation:dashboard")).content.decode()
    assert "Sehr hilfreich" not in page
    assert "Mittelwerte der Antworten je Modul" in page
    assert reverse("evaluation:export", args=["fragebogen", "csv"]) not in page
    assert client.get(reverse("evaluation:export", args=["fragebogen", "csv"])).status_code == 403


def test_a_second_answer_for_the_same_module_is_refused_by_the_service(programme):
    p1 = programme.enrollments["P1"]
    with pytest.raises(ValidationError, match="bereits beantwortet"):
        submit(p1, programme.modules[0], programme.now, gesamt=2)
