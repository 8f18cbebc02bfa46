"""The participant's side of the waves: consent, answering once, a closed wave, another person's
invitation, a questionnaire that changed while the person typed, and bad input kept on the page."""

import datetime as dt

import pytest

from evaluation import instruments
from evaluation.models import Answer, EvaluationConsent, WaveResponse
from tests.evaluation.waves_world import KINDS, NOW, answer, build, competencies, invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(time_machine):
    time_machine.move_to(NOW, tick=False)
    return build(people=2)


def _post(client, invitation, **fields):
    version = instruments.current_version(invitation.wave.instrument)
    shown = instruments.fingerprint(version, list(version.items.order_by("position", "pk")))
    return client.post(f"/befragungen/{invitation.pk}/", {"shown": shown, **fields})


def test_first_answer_asks_for_consent_and_keeps_what_was_typed(client, world):
    invitation = invite(world, KINDS.T1, world.enrollments[0])
    client.force_login(invitation.enrollment.user)
    page = client.get(f"/befragungen/{invitation.pk}/")
    assert page.status_code == 200 and 'name="consent"' in page.content.decode()
    response = _post(
        client, invitation, item_kompetenz_1="4", item_transferplan="Ein Datenportal für die Stadt"
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="form-errors"' in body
    assert "Ein Datenportal für die Stadt" in body
    assert 'value="4" class="kern-form-check__radio" id="id_item_kompetenz_1_4" checked' in body
    assert not WaveResponse.objects.exists()
    response = _post(
        client, invitation, item_kompetenz_1="4", item_transferplan="Ein Datenportal", consent="on"
    )
    assert response.status_code == 302
    consent = EvaluationConsent.objects.get(user=invitation.enrollment.user)
    assert consent.given_at == NOW and consent.text_version
    assert Answer.objects.get(item__key="kompetenz_1").number == 4


def test_answering_twice_and_after_closing_are_refused_clearly(client, world):
    invitation = invite(world, KINDS.T1, world.enrollments[0])
    answer(invitation, competencies(3))
    client.force_login(invitation.enrollment.user)
    response = client.get(f"/befragungen/{invitation.pk}/", follow=True)
    assert "bereits beantwortet" in response.content.decode()
    closed = invite(world, KINDS.T2, world.enrollments[0], opened_days_ago=40)
    response = client.get(f"/befragungen/{closed.pk}/", follow=True)
    assert "geschlossen" in response.content.decode()
    assert WaveResponse.objects.count() == 1


def test_another_persons_invitation_is_a_404(client, world):
    theirs = invite(world, KINDS.T1, world.enrollments[1])
    client.force_login(world.enrollments[0].user)
    assert client.get(f"/befragungen/{theirs.pk}/").status_code == 404
    assert _post(client, theirs, item_kompetenz_1="5", consent="on").status_code == 404
    assert not WaveResponse.objects.exists()


def test_a_version_changed_while_typing_stores_nothing_and_shows_the_new_questions(client, world):
    invitation = invite(world, KINDS.T1, world.enrollments[0])
    client.force_login(invitation.enrollment.user)
    version = instruments.current_version(invitation.wave.instrument)
    stale = instruments.fingerprint(version, list(version.items.order_by("position", "pk")))
    item = version.items.get(key="kompetenz_2")
    item.text = "Eine neue Formulierung der Frage"
    item.save()
    response = client.post(
        f"/befragungen/{invitation.pk}/",
        {"shown": stale, "item_kompetenz_1": "2", "item_transferplan": "Mein Plan", "consent": "on"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "inzwischen geändert" in body
    assert "Eine neue Formulierung der Frage" in body and "Mein Plan" in body
    assert not WaveResponse.objects.exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("item_kompetenz_1", "7", "7 ist keine gültige Auswahl"),
        ("item_transferplan", "x" * 1001, "1000"),
        ("item_transferplan", "Plan\u202eevil", 'href="#id_item_transferplan"'),
    ],
)
def test_bad_input_is_refused_at_its_field(client, world, field, value, message):
    invitation = invite(world, KINDS.T1, world.enrollments[0])
    client.force_login(invitation.enrollment.user)
    response = _post(client, invitation, consent="on", **{field: value})
    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert message in response.content.decode()
    assert not WaveResponse.objects.exists()


def test_numbers_and_choices_of_the_follow_up_are_checked(client, world):
    invitation = invite(world, KINDS.T2, world.enrollments[0])
    client.force_login(invitation.enrollment.user)
    response = _post(
        client, invitation, consent="on", item_projekte="drei", item_hindernisse=["zeit", "erfunden"]
    )
    body = response.content.decode()
    assert "ganze Zahl" in body and 'value="drei"' in body
    assert not WaveResponse.objects.exists()
    response = _post(
        client,
        invitation,
        consent="on",
        item_projekte="3",
        item_hindernisse=["zeit", "geld"],
        item_strategie="ja",
    )
    assert response.status_code == 302
    stored = {a.item.key: (a.number, a.choices) for a in Answer.objects.select_related("item")}
    assert stored["projekte"] == (3, []) and stored["hindernisse"] == (None, ["geld", "zeit"])


def test_the_surveys_page_lists_own_invitations_and_offers_withdrawal(client, world):
    mine = invite(world, KINDS.T1, world.enrollments[0])
    invite(world, KINDS.T1, world.enrollments[1])
    answer(mine, competencies(4))
    client.force_login(mine.enrollment.user)
    body = client.get("/befragungen/").content.decode()
    assert (
        "beantwortet" in body and f"/befragungen/{mine.pk}/" not in body.split("Jetzt beantworten")[0][-200:]
    )
    assert f"/befragungen/programm/{world.programme.pk}/widerrufen/" in body
    response = client.post(f"/befragungen/programm/{world.programme.pk}/widerrufen/")
    assert response.status_code == 302
    assert not WaveResponse.objects.filter(invitation=mine).exists()
    assert EvaluationConsent.objects.get(user=mine.enrollment.user).withdrawn_at == NOW


def test_signed_out_people_are_sent_to_the_login(client, world):
    invitation = invite(world, KINDS.T1, world.enrollments[0])
    response = client.get(f"/befragungen/{invitation.pk}/")
    assert response.status_code == 302 and "/konto/" in response["Location"]


def test_the_surveys_page_costs_the_same_for_one_and_many_invitations(
    client, world, django_assert_num_queries
):
    user = world.enrollments[0].user
    invite(world, KINDS.T1, world.enrollments[0])
    client.force_login(user)
    # session, user, invitations with their wave, instrument, programme and cohort, consents
    with django_assert_num_queries(4):
        client.get("/befragungen/")
    invite(world, KINDS.T2, world.enrollments[0], opened_days_ago=2)
    invite(world, KINDS.T0, world.enrollments[0], opened_days_ago=3)
    with django_assert_num_queries(4):
        client.get("/befragungen/")


def test_days_are_counted_in_berlin(world):
    invitation = invite(world, KINDS.T1, world.enrollments[0])
    assert invitation.closes_at - invitation.opens_at == dt.timedelta(days=28)
