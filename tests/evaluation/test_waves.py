"""Who is invited when, the reminders, and what stops them: answering, closing, opting out,
withdrawing, erasure and a revoked certificate, also for a mail that was already queued."""

import datetime as dt

import pytest
from django.utils import timezone

from certificates.models import Certificate
from evaluation import waves
from evaluation.models import EvaluationConsent, Invitation, WaveResponse
from evaluation.reminders import INVITATION, REMINDER
from portal.mail.models import OutboxMessage
from portal.mail.reminders import dispatch
from portal.mail.sending import send_batch
from tests.evaluation.waves_world import KINDS, NOW, answer, build, competencies, invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def test_t1_opens_with_the_certificate_and_t2_six_months_later(at_now):
    world = build(people=3, issued_days_ago=2)
    assert waves.open_invitations(now=NOW) == 3
    assert set(Invitation.objects.values_list("wave__kind", flat=True)) == {KINDS.T1}
    assert waves.open_invitations(now=NOW) == 0  # once per wave and person
    later = NOW + dt.timedelta(days=182)
    assert waves.open_invitations(now=later) == 3
    t2 = Invitation.objects.filter(wave__kind=KINDS.T2).first()
    issued = world.certificates[t2.enrollment_id].issued_on
    assert timezone.localdate(t2.opens_at) == issued + dt.timedelta(days=182)


def test_nobody_is_invited_after_the_wave_has_closed(at_now):
    build(people=2, issued_days_ago=40)  # T1 was open for 28 days after the certificate
    assert waves.open_invitations(now=NOW) == 0


def test_t0_invites_who_accepted_a_seat(at_now, time_machine):
    world = build(people=1)
    enrollment = world.enrollments[0]
    enrollment.responded_at = NOW - dt.timedelta(days=1)
    enrollment.save(update_fields=["responded_at"])
    waves.open_invitations(now=NOW)
    assert Invitation.objects.filter(wave__kind=KINDS.T0, enrollment=enrollment).exists()


def test_t0_asks_no_one_whose_cohort_was_over_before_the_wave_could_open(at_now):
    """T0 comes before the first module: a seat recorded long after its cohort ended opens none,
    and the daily job reads only the enrollments of cohorts that had not ended."""
    world = build(people=1, issued_days_ago=40)
    enrollment = world.enrollments[0]
    enrollment.responded_at = NOW - dt.timedelta(days=1)
    enrollment.save(update_fields=["responded_at"])
    waves.open_invitations(now=NOW)
    assert not Invitation.objects.filter(wave__kind=KINDS.T0).exists()


def test_a_revoked_certificate_opens_no_t1(at_now):
    world = build(people=2)
    Certificate.objects.filter(pk=world.certificates[world.enrollments[0].pk].pk).update(status="revoked")
    assert waves.open_invitations(now=NOW) == 1


def test_invitation_once_then_at_most_two_reminders_to_non_respondents_only(at_now):
    world = build(people=3)
    done, silent, late = (invite(world, KINDS.T1, e, opened_days_ago=0) for e in world.enrollments)
    assert dispatch(INVITATION, now=NOW)["queued"] == 3
    assert dispatch(INVITATION, now=NOW)["queued"] == 0
    answer(done, competencies(3))
    sent = {}
    for day in range(0, 40):
        when = NOW + dt.timedelta(days=day)
        sent[day] = dispatch(REMINDER, now=when)["queued"]
    # silent and late get reminders on day 7 and 14, never a third, none after closing (day 28)
    assert [day for day, count in sent.items() if count] == [7, 14]
    assert sum(sent.values()) == 4
    keys = set(
        OutboxMessage.objects.filter(kind="reminder-wave-reminder").values_list("idempotency_key", flat=True)
    )
    assert not any(f":invitation:{done.pk}:" in key for key in keys)
    assert {silent.pk, late.pk} == {int(key.split(":")[3]) for key in keys}


def test_opting_out_and_withdrawing_stop_mail_already_queued(at_now, mailoutbox):
    world = build(people=4)
    invitations = [invite(world, KINDS.T1, e, opened_days_ago=0) for e in world.enrollments]
    dispatch(INVITATION, now=NOW)
    opted, withdrawn, erased, revoked = (i.enrollment.user for i in invitations)
    waves.opt_out(user=opted, programme=world.programme, at=NOW)
    waves.withdraw_consent(user=withdrawn, programme=world.programme, at=NOW)
    erased.is_active = False
    erased.save(update_fields=["is_active"])
    Certificate.objects.filter(enrollment=invitations[3].enrollment).update(status="revoked")
    ids = list(OutboxMessage.objects.filter(kind="reminder-wave-invitation").values_list("pk", flat=True))
    send_batch(ids, now=NOW)
    assert mailoutbox == []
    statuses = set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert OutboxMessage.Status.SENT not in statuses


def test_the_invitation_mail_is_in_the_persons_language_with_a_one_click_opt_out(at_now, mailoutbox, client):
    world = build(people=1)
    user = world.enrollments[0].user
    user.language = "en"
    user.save(update_fields=["language"])
    invite(world, KINDS.T1, world.enrollments[0], opened_days_ago=0)
    dispatch(INVITATION, now=NOW)
    send_batch(list(OutboxMessage.objects.values_list("pk", flat=True)), now=NOW)
    (mail,) = mailoutbox
    assert "survey" in mail.subject.lower()
    link = next(line for line in mail.body.splitlines() if "/befragungen/abmelden/" in line)
    path = link[link.index("/befragungen/abmelden/") :].strip()
    assert client.get(path).status_code == 200
    assert not EvaluationConsent.objects.filter(
        user=user, opted_out_at__isnull=False
    ).exists()  # GET changes nothing
    client.post(path)
    assert EvaluationConsent.objects.get(user=user).opted_out_at is not None
    assert waves.open_invitations(now=NOW + dt.timedelta(days=182)) == 0


def test_a_forged_opt_out_link_is_a_404(client):
    assert client.get("/befragungen/abmelden/eyJ1IjoxLCJwIjoxfQ:forged/").status_code == 404


def test_withdrawal_deletes_the_answers_of_the_person_only(at_now):
    world = build(people=2)
    mine, other = (invite(world, KINDS.T1, e) for e in world.enrollments)
    answer(mine, competencies(4))
    answer(other, competencies(2))
    assert waves.withdraw_consent(user=mine.enrollment.user, programme=world.programme, at=NOW) >= 1
    assert list(WaveResponse.objects.values_list("invitation_id", flat=True)) == [other.pk]
