"""The questionnaire after each module: participants answer once, after the module's last
session; nobody sees the answers per person in the portal."""

import datetime as dt

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohorts.models import Enrollment
from evaluation import services
from evaluation.models import QuestionnaireResponse
from tests.evaluation.data import group_member
from tests.factories import ModuleFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

NO_ANSWERS = {
    "relevance": None,
    "clarity": None,
    "practical_task": None,
    "online_format": None,
    "overall": None,
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


def test_a_participant_answers_once_after_the_module(p5_client, p5, programme):
    m1 = programme.modules[0]
    url = reverse("evaluation:questionnaire", args=[m1.pk])
    form = p5_client.get(url)
    assert form.status_code == 200
    assert "keine Angabe" in form.content.decode()
    response = p5_client.post(
        url, {"relevance": "4", "clarity": "", "practical_task": "2", "online_format": "5", "overall": "3",
              "comment": "  Mehr Zeit für Fragen, bitte.  "}
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == reverse("evaluation:questionnaires")
    answer = QuestionnaireResponse.objects.get(enrollment=p5, module=m1)
    assert (
        answer.relevance,
        answer.clarity,
        answer.practical_task,
        answer.online_format,
        answer.overall,
    ) == (
        4,
        None,
        2,
        5,
        3,
    )
    assert answer.comment == "Mehr Zeit für Fragen, bitte."
    assert answer.submitted_at == programme.now
    overview = p5_client.get(reverse("evaluation:questionnaires")).content.decode()
    assert "beantwortet am 01.03.2023" in overview
    # A second time: nothing is changed.
    again = p5_client.post(url, {"relevance": "1", "comment": "anders"})
    assert again.status_code == 302
    answer.refresh_from_db()
    assert (answer.relevance, answer.comment) == (4, "Mehr Zeit für Fragen, bitte.")


def test_an_empty_questionnaire_is_not_stored(p5_client, p5, programme):
    url = reverse("evaluation:questionnaire", args=[programme.modules[0].pk])
    response = p5_client.post(url, {"comment": "   "})
    assert response.status_code == 200
    assert "Bitte beantworten Sie mindestens eine Frage" in response.content.decode()
    assert not QuestionnaireResponse.objects.filter(enrollment=p5).exists()


def test_values_outside_the_scale_are_refused(p5_client, p5, programme):
    url = reverse("evaluation:questionnaire", args=[programme.modules[0].pk])
    response = p5_client.post(url, {"relevance": "6"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="#id_relevance_0">' in page
    assert 'aria-describedby="id_relevance_error"' in page
    assert not QuestionnaireResponse.objects.filter(enrollment=p5).exists()
    with pytest.raises(ValidationError):
        services.submit_questionnaire(
            enrollment=p5, module=programme.modules[0], answers={"relevance": 0}, comment="", at=programme.now
        )


def test_the_questionnaire_opens_after_the_last_session_of_the_module(client, programme, time_machine):
    q1 = programme.enrollments["Q1"]
    m2 = programme.modules[1]
    client.force_login(q1.user)
    url = reverse("evaluation:questionnaire", args=[m2.pk])
    response = client.post(url, {"relevance": "5"})
    assert response.status_code == 302
    assert not QuestionnaireResponse.objects.filter(enrollment=q1).exists()
    with pytest.raises(ValidationError, match="erst nach seiner letzten Sitzung"):
        services.submit_questionnaire(
            enrollment=q1, module=m2, answers={"relevance": 5}, comment="", at=programme.now
        )
    time_machine.move_to(programme.sessions["t2"].ends_at + dt.timedelta(minutes=1), tick=False)
    assert client.post(url, {"relevance": "5"}).status_code == 302
    assert QuestionnaireResponse.objects.get(enrollment=q1, module=m2).relevance == 5


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
        services.submit_questionnaire(
            enrollment=declined,
            module=programme.modules[0],
            answers={"relevance": 3},
            comment="",
            at=programme.now,
        )


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(reverse("evaluation:questionnaires"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_answers_have_no_admin_and_no_view_permission():
    assert QuestionnaireResponse not in admin.site._registry
    assert QuestionnaireResponse._meta.default_permissions == ()


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
        services.submit_questionnaire(
            enrollment=p1,
            module=programme.modules[0],
            answers=NO_ANSWERS | {"overall": 2},
            comment="",
            at=programme.now,
        )
