"""Each reminder goes to the right people on the right day, in their language, once; and a
reminder that is no longer due when it is sent (submitted meanwhile, deadline moved) is skipped."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from applications import decisions as application_decisions
from applications import services as application_services
from applications.models import Application
from applications.reminders import DRAFT_1D, DRAFT_7D, OFFER_3D
from applications.tasks import send_draft_reminders, send_offer_reminders
from certificates.reminders import DIGEST
from certificates.tasks import send_coordinator_digest
from cohorts.models import Enrollment
from modules.models import Attendance, Material, Module, TaskDeadline, TaskSubmission
from modules.reminders import SESSION_1D, TASK_3D
from modules.tasks import send_session_reminders, send_task_reminders
from portal.mail import send_batch
from portal.mail.models import OutboxMessage
from portal.mail.reminders import dispatch
from tests.factories import EnrollmentFactory, UserFactory, berlin

from .conftest import draft, outbox, participant, sent_to, session

pytestmark = pytest.mark.django_db


# --- drafts -----------------------------------------------------------------------------------


def test_an_unsubmitted_draft_is_reminded_7_days_and_1_day_before_the_deadline(cohort, run, time_machine):
    application = draft(cohort, email="entwurf@example.org", first_name="Jördis", last_name="Groß")
    for day in range(14):  # every morning from 20.09. to 03.10.2022, and again at noon
        morning = berlin(2022, 9, 20, 9) + dt.timedelta(days=day)
        for moment in (morning, morning + dt.timedelta(hours=3)):
            time_machine.move_to(moment, tick=False)
            run(send_draft_reminders)
    assert sent_to("entwurf@example.org") == [
        "Ihre Bewerbung ist noch nicht abgesendet – Frist bis 04.10.2022",
        "Ihre Bewerbung ist noch nicht abgesendet – Frist bis 04.10.2022",
    ]
    seven, one = OutboxMessage.objects.order_by("created_at")
    assert seven.idempotency_key == f"reminder:draft-7d:application:{application.pk}:2022-10-04"
    assert one.idempotency_key == f"reminder:draft-1d:application:{application.pk}:2022-10-04"
    assert seven.sent_at == berlin(2022, 9, 27, 9)
    assert one.sent_at == berlin(2022, 10, 3, 9)
    text = seven.body_text
    assert text.startswith("Guten Tag Jördis Groß,")
    assert "endet am 04.10.2022 um 24:00 Uhr" in text
    assert "Bis dahin bleiben noch 7 Tage." in text
    assert f"https://smartcity.example.org/bewerbung/{application.pk}/bearbeiten/" in text
    # Why it was sent, and where to switch it off.
    assert "Warum erhalten Sie diese E-Mail?" in text
    assert "https://smartcity.example.org/konto/einstellungen/" in text
    assert 'href="https://smartcity.example.org/konto/einstellungen/"' in seven.body_html
    assert "Bis dahin bleibt noch 1 Tag." in one.body_text


@pytest.mark.parametrize(
    ("until", "said", "language"),
    [
        (
            berlin(2022, 10, 11, 18),
            "Ihre verlängerte Bewerbungsfrist endet am 11.10.2022 um 18:00 Uhr.",
            "de",
        ),
        (berlin(2022, 10, 12, 0), "Ihre verlängerte Bewerbungsfrist endet am 11.10.2022 um 24:00 Uhr.", "de"),
        (berlin(2022, 10, 11, 18), "Your extended deadline ends at 18:00 on 11.10.2022.", "en"),
    ],
)
def test_a_draft_with_an_extension_is_reminded_before_its_own_deadline(
    cohort, run, time_machine, until, said, language
):
    application = draft(cohort, email="verlaengert@example.org", language=language)
    application_services.grant_extension(
        application=application, until=until, reason="Krank bis zum Fristende", granted_by=UserFactory()
    )
    for day in range(25):  # every morning from 20.09. to 14.10.2022, past the regular deadline
        time_machine.move_to(berlin(2022, 9, 20, 9) + dt.timedelta(days=day), tick=False)
        run(send_draft_reminders)
    seven, one = outbox(recipient="verlaengert@example.org").order_by("created_at")
    # Not on the cohort's dates (27.09., 03.10.), but before the applicant's own deadline.
    assert (seven.sent_at, one.sent_at) == (berlin(2022, 10, 4, 9), berlin(2022, 10, 10, 9))
    assert seven.idempotency_key == f"reminder:draft-7d:application:{application.pk}:2022-10-11"
    assert seven.status == one.status == OutboxMessage.Status.SENT
    assert said in seven.body_text and said in one.body_html
    assert "11.10.2022" in seven.subject


def test_no_draft_reminder_after_submitting_or_withdrawing(cohort, run, time_machine):
    from tests.applications.conftest import make_draft

    submitted = make_draft(cohort, UserFactory(email="abgesendet@example.org"))
    withdrawn = make_draft(cohort, UserFactory(email="zurueckgezogen@example.org"))
    draft(cohort, email="offen@example.org")
    time_machine.move_to(berlin(2022, 9, 26, 12), tick=False)
    for application in (submitted, withdrawn):
        application_services.submit_application(
            application_id=application.pk, applicant=application.applicant, at=timezone.now()
        )
    application_services.withdraw_application(
        application_id=withdrawn.pk, applicant=withdrawn.applicant, at=timezone.now()
    )
    time_machine.move_to(berlin(2022, 9, 27, 9), tick=False)
    run(send_draft_reminders)
    assert outbox(kind="reminder-draft-7d").get().recipient == "offen@example.org"


def test_a_draft_submitted_after_the_reminder_was_queued_is_skipped_when_sending(cohort, time_machine):
    from tests.applications.conftest import make_draft

    application = make_draft(cohort, UserFactory())
    time_machine.move_to(berlin(2022, 9, 27, 9), tick=False)
    dispatch(DRAFT_7D)  # queued; the mail server is slow today
    application_services.submit_application(
        application_id=application.pk, applicant=application.applicant, at=timezone.now()
    )
    send_batch(list(outbox(kind="reminder-draft-7d").values_list("pk", flat=True)))
    reminder = outbox(kind="reminder-draft-7d").get()
    assert reminder.status == OutboxMessage.Status.SKIPPED
    assert "kein Entwurf mehr" in reminder.error
    assert mail.outbox == []


def test_a_moved_deadline_skips_the_planned_reminder_and_reminds_for_the_new_date(cohort, run, time_machine):
    draft(cohort, email="entwurf@example.org")
    time_machine.move_to(berlin(2022, 9, 27, 9), tick=False)
    dispatch(DRAFT_7D)  # queued for the deadline 04.10., not yet sent
    cohort.applications_close_on = dt.date(2022, 10, 11)  # the ministry extends the deadline
    cohort.save()
    send_batch(list(outbox().values_list("pk", flat=True)))
    old = outbox(idempotency_key__endswith="2022-10-04").get()
    assert old.status == OutboxMessage.Status.SKIPPED
    assert "Bewerbungsfrist wurde geändert" in old.error
    assert mail.outbox == []
    time_machine.move_to(berlin(2022, 10, 4, 9), tick=False)
    run(send_draft_reminders)
    assert sent_to("entwurf@example.org") == [
        "Ihre Bewerbung ist noch nicht abgesendet – Frist bis 11.10.2022"
    ]


def test_reminders_are_written_in_the_recipients_language(cohort, run, time_machine):
    cohort.title_en = "Cohort 3"
    cohort.save()
    draft(cohort, email="english@example.org", first_name="Ada", last_name="Lovelace", language="en")
    draft(cohort, email="deutsch@example.org", first_name="Erika", last_name="Muster", language="de")
    time_machine.move_to(berlin(2022, 9, 27, 9), tick=False)
    run(send_draft_reminders)
    english = outbox(recipient="english@example.org").get()
    german = outbox(recipient="deutsch@example.org").get()
    assert (english.language, german.language) == ("en", "de")
    assert english.body_text.startswith("Dear Ada Lovelace,")
    assert "Kind regards" in english.body_text
    assert '<html lang="en">' in english.body_html
    assert german.body_text.startswith("Guten Tag Erika Muster,")
    assert '<html lang="de">' in german.body_html
    assert "04.10.2022" in english.subject  # dates as 04.10.2022 in both languages
    assert "for Cohort 3 of" in english.body_text and "Cohort 3" not in german.body_text
    assert "3. Schulungsdurchgang" in german.body_text


def test_people_who_opted_out_get_no_optional_reminders(cohort, run, time_machine):
    draft(cohort, email="nein-danke@example.org", reminders_opt_out=True)
    draft(cohort, email="gern@example.org")
    time_machine.move_to(berlin(2022, 9, 27, 9), tick=False)
    (result,) = run(send_draft_reminders)
    assert result["draft-7d"] == {"due": 1, "opted_out": 1, "queued": 1}
    assert [m.to for m in mail.outbox] == [["gern@example.org"]]


# --- offered seats ----------------------------------------------------------------------------


def offered(cohort, respond_by: dt.date, **user_fields) -> Application:
    user = UserFactory(**user_fields)
    enrollment = EnrollmentFactory(
        cohort=cohort, user=user, state=Enrollment.State.OFFERED, respond_by=respond_by
    )
    return Application.objects.create(
        cohort=cohort,
        applicant=user,
        status=Application.Status.ACCEPTED,
        sequence=Application.objects.filter(cohort=cohort).count() + 1,
        reference="SCM-3-0001",
        submitted_at=berlin(2022, 9, 1),
        enrollment=enrollment,
    )


def test_an_unconfirmed_seat_is_reminded_3_days_before_the_date_even_after_opting_out(
    cohort, run, time_machine
):
    open_offer = offered(cohort, dt.date(2022, 10, 20), email="offen@example.org", reminders_opt_out=True)
    confirmed = offered(cohort, dt.date(2022, 10, 20), email="bestaetigt@example.org")
    Enrollment.objects.filter(pk=confirmed.enrollment_id).update(state=Enrollment.State.CONFIRMED)
    for day in (16, 17, 18):
        time_machine.move_to(berlin(2022, 10, day, 9), tick=False)
        run(send_offer_reminders)
    assert sent_to("offen@example.org") == ["Bitte bestätigen Sie Ihren Platz bis zum 20.10.2022"]
    assert sent_to("bestaetigt@example.org") == []
    message = outbox(kind="reminder-offer-3d").get()
    assert message.optional is False
    assert message.sent_at == berlin(2022, 10, 17, 9)
    assert f"/bewerbung/{open_offer.pk}/platz/" in message.body_text
    assert "auch dann, wenn Sie Erinnerungen abbestellt haben" in message.body_text


def test_a_seat_confirmed_after_the_reminder_was_queued_is_skipped(cohort, time_machine):
    application = offered(cohort, dt.date(2022, 10, 20))
    time_machine.move_to(berlin(2022, 10, 17, 9), tick=False)
    dispatch(OFFER_3D)
    application_decisions.respond_to_offer(
        application_id=application.pk, applicant=application.applicant, accept=True, at=timezone.now()
    )
    send_batch(list(outbox(kind="reminder-offer-3d").values_list("pk", flat=True)))
    assert outbox(kind="reminder-offer-3d").get().error == "Der Platz wurde bereits bestätigt oder abgelehnt."
    assert mail.outbox == []


# --- sessions and practical tasks -------------------------------------------------------------


def test_participants_are_reminded_the_day_before_each_session_with_time_link_and_materials(
    cohort, run, time_machine
):
    summer = session(cohort, 1, berlin(2022, 10, 26, 13), meeting_url="https://konferenz.example.org/raum-1")
    winter = session(cohort, 2, berlin(2022, 11, 2, 13))  # after the change to winter time
    Material.objects.create(
        module=summer.module,
        cohort=cohort,
        title="Folien Modul 1",
        title_en="Slides module 1",
        link="https://example.org/folien",
    )
    Material.objects.create(
        module=summer.module, cohort=None, title="Leitfaden", link="https://example.org/leitfaden"
    )
    erika = participant(cohort, email="erika@example.org")
    participant(cohort, email="ada@example.org", language="en", first_name="Ada", last_name="Lovelace")
    EnrollmentFactory(
        cohort=cohort, state=Enrollment.State.DECLINED, user=UserFactory(email="abgesagt@example.org")
    )
    for day in [(10, 24), (10, 25), (10, 26), (11, 1), (11, 2)]:
        time_machine.move_to(berlin(2022, *day, 10), tick=False)
        run(send_session_reminders)
    assert sent_to("erika@example.org") == [
        "Morgen: Modul 1 – Sitzung am 26.10.2022 um 13:00 Uhr",
        "Morgen: Modul 2 – Sitzung am 02.11.2022 um 13:00 Uhr",
    ]
    assert sent_to("ada@example.org") == [
        "Tomorrow: Module 1 – session on 26.10.2022 at 13:00 (German time)",
        "Tomorrow: Module 2 – session on 02.11.2022 at 13:00 (German time)",
    ]
    assert sent_to("abgesagt@example.org") == []
    first = outbox(recipient="erika@example.org", related_id=summer.pk).get()
    assert (
        first.idempotency_key
        == f"reminder:session-1d:session:{summer.pk}:enrollment:{erika.pk}:20221026T1100Z"
    )
    assert "13:00 bis 15:00 Uhr" in first.body_text
    assert "https://konferenz.example.org/raum-1" in first.body_text
    assert "- Folien Modul 1: https://example.org/folien" in first.body_text
    assert "- Leitfaden: https://example.org/leitfaden" in first.body_text
    assert "Slides module 1" not in first.body_text
    in_english = outbox(recipient="ada@example.org", related_id=summer.pk).get()
    assert "- Slides module 1: https://example.org/folien" in in_english.body_text
    assert '<a href="https://example.org/folien">Slides module 1</a>' in in_english.body_html
    assert "- Leitfaden: https://example.org/leitfaden" in in_english.body_text  # no English title
    assert "https://smartcity.example.org/kurs/kalender.ics" in first.body_text
    second = outbox(recipient="erika@example.org", related_id=winter.pk).get()
    assert "13:00 bis 15:00 Uhr" in second.body_text  # 12:00 UTC in winter
    assert "Den Link finden Sie rechtzeitig im Portal" in second.body_text


def test_a_session_moved_after_the_reminder_was_queued_is_reminded_with_its_new_time(
    cohort, run, time_machine
):
    moved = session(cohort, 1, berlin(2022, 10, 26, 13))
    participant(cohort, email="erika@example.org")
    time_machine.move_to(berlin(2022, 10, 25, 10), tick=False)
    dispatch(SESSION_1D)
    moved.starts_at, moved.ends_at = berlin(2022, 10, 26, 15), berlin(2022, 10, 26, 17)
    moved.save()
    send_batch(list(outbox().values_list("pk", flat=True)))
    run(send_session_reminders)
    assert sent_to("erika@example.org") == ["Morgen: Modul 1 – Sitzung am 26.10.2022 um 15:00 Uhr"]
    assert "Die Sitzung wurde verlegt" in outbox(status="skipped").get().error


def test_a_practical_task_due_in_3_days_is_reminded_unless_uploaded(cohort, run, time_machine):
    module = Module.objects.get(programme=cohort.programme, position=1)
    TaskDeadline.objects.create(cohort=cohort, module=module, due_at=berlin(2022, 11, 10, 23, 59))
    participant(cohort, email="fehlt@example.org")
    done = participant(cohort, email="erledigt@example.org")
    TaskSubmission.objects.create(
        enrollment=done, module=module, file="x.pdf", file_name="x.pdf", submitted_at=berlin(2022, 11, 1)
    )
    for day in (6, 7, 8, 9):
        time_machine.move_to(berlin(2022, 11, day, 9, 30), tick=False)
        run(send_task_reminders)
    assert sent_to("fehlt@example.org") == ["Praxisaufgabe „Modul 1“: Abgabe bis 10.11.2022"]
    assert sent_to("erledigt@example.org") == []
    message = outbox(kind="reminder-task-3d").get()
    assert message.sent_at == berlin(2022, 11, 7, 9, 30)
    assert "am 10.11.2022 um 23:59 Uhr fällig" in message.body_text


def test_a_task_uploaded_after_the_reminder_was_queued_is_skipped(cohort, time_machine):
    module = Module.objects.get(programme=cohort.programme, position=1)
    TaskDeadline.objects.create(cohort=cohort, module=module, due_at=berlin(2022, 11, 10, 23, 59))
    enrollment = participant(cohort)
    time_machine.move_to(berlin(2022, 11, 7, 9, 30), tick=False)
    dispatch(TASK_3D)
    TaskSubmission.objects.create(
        enrollment=enrollment, module=module, file="x.pdf", file_name="x.pdf", submitted_at=timezone.now()
    )
    send_batch(list(outbox().values_list("pk", flat=True)))
    assert outbox().get().error == "Die Praxisaufgabe wurde inzwischen hochgeladen."


# --- coordinators -----------------------------------------------------------------------------


def test_coordinators_get_a_weekly_digest_of_missing_tasks_absences_and_certificates(
    cohort, coordinator, run, time_machine
):
    first = session(cohort, 1, berlin(2022, 10, 26, 13))
    module = first.module
    TaskDeadline.objects.create(cohort=cohort, module=module, due_at=berlin(2022, 11, 2, 23, 59))
    absent = participant(cohort, first_name="Anton", last_name="Abwesend")
    present = participant(cohort, first_name="Paula", last_name="Pünktlich")
    Attendance.objects.create(
        session=first, enrollment=absent, status=Attendance.Status.ABSENT, recorded_by=coordinator
    )
    Attendance.objects.create(
        session=first, enrollment=present, status=Attendance.Status.PRESENT, recorded_by=coordinator
    )
    TaskSubmission.objects.create(
        enrollment=present, module=module, file="x.pdf", file_name="x.pdf", submitted_at=berlin(2022, 11, 1)
    )
    time_machine.move_to(berlin(2022, 10, 31, 7), tick=False)  # Monday
    run(send_coordinator_digest)
    time_machine.move_to(berlin(2022, 11, 7, 7), tick=False)  # next Monday
    run(send_coordinator_digest)
    assert sent_to("koordination@example.org") == [
        "Wochenübersicht Ihrer Schulungsdurchgänge (KW 44)",
        "Wochenübersicht Ihrer Schulungsdurchgänge (KW 45)",
    ]
    week44, week45 = outbox(kind="reminder-digest").order_by("created_at")
    assert "- Anton Abwesend: Modul 1 (Sitzung am 26.10.2022)" in week44.body_text
    assert "Fehlende Praxisaufgaben" not in week44.body_text  # not due yet
    assert "- Anton Abwesend: Modul 1 (fällig am 02.11.2022)" in week45.body_text
    assert "Paula" not in week45.body_text
    assert f"https://smartcity.example.org/koordination/{cohort.pk}/" in week45.body_text


def test_the_digest_names_participants_ready_for_their_certificate(cohort, coordinator, run, time_machine):
    from tests.certificates.test_certificates import graduate

    for position in range(1, 6):
        session(cohort, position, berlin(2022, 10, 25 + position, 13))
    graduate(cohort, coordinator, first_name="Grete", last_name="Fertig")
    time_machine.move_to(berlin(2022, 12, 19, 7), tick=False)
    run(send_coordinator_digest)
    digest = outbox(kind="reminder-digest").get()
    assert "Bereit für das Zertifikat" in digest.body_text
    assert "- Grete Fertig" in digest.body_text
    assert f"/koordination/{cohort.pk}/zertifikate/" in digest.body_text


def test_no_digest_when_there_is_nothing_to_look_at(cohort, coordinator, run, time_machine):
    participant(cohort)
    time_machine.move_to(berlin(2022, 10, 31, 7), tick=False)
    run(send_coordinator_digest)
    assert mail.outbox == []


# --- every schedule, twice --------------------------------------------------------------------


def test_running_every_schedule_twice_sends_nothing_more(cohort, coordinator, run, time_machine):
    draft(cohort)
    first = session(cohort, 1, berlin(2022, 10, 26, 13))
    enrollment = participant(cohort)
    Attendance.objects.create(session=first, enrollment=enrollment, status="absent", recorded_by=coordinator)
    TaskDeadline.objects.create(cohort=cohort, module=first.module, due_at=berlin(2022, 10, 28, 12))
    offered(cohort, dt.date(2022, 10, 28))
    for moment in [berlin(2022, 9, 27, 9), berlin(2022, 10, 25, 10), berlin(2022, 10, 31, 7)]:
        time_machine.move_to(moment, tick=False)
        run()
        count = len(mail.outbox)
        run()
        run()
        assert len(mail.outbox) == count
    assert sorted(OutboxMessage.objects.values_list("kind", flat=True)) == [
        "reminder-digest",
        "reminder-draft-7d",
        "reminder-offer-3d",
        "reminder-session-1d",
        "reminder-task-3d",
    ]
    assert len(mail.outbox) == 5


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("recipients", [1, 6])
def test_selecting_reminders_does_not_query_per_recipient(
    cohort,
    coordinator,
    recipients,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    time_machine,
):
    first = session(cohort, 1, berlin(2022, 10, 26, 13))
    Material.objects.create(module=first.module, cohort=cohort, title="Folien", link="https://example.org/f")
    TaskDeadline.objects.create(cohort=cohort, module=first.module, due_at=berlin(2022, 10, 28, 12))
    for _index in range(recipients):
        draft(cohort)
        enrollment = participant(cohort)
        Attendance.objects.create(
            session=first, enrollment=enrollment, status="absent", recorded_by=coordinator
        )
    time_machine.move_to(berlin(2022, 9, 27, 9), tick=False)
    # Each: savepoint, selection, known keys, insert, new ids, release.
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(6):
        assert dispatch(DRAFT_7D)["queued"] == recipients
    time_machine.move_to(berlin(2022, 10, 25, 10), tick=False)
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(8):
        assert dispatch(SESSION_1D)["queued"] == recipients
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(8):
        assert dispatch(TASK_3D)["queued"] == recipients
    time_machine.move_to(berlin(2022, 10, 31, 7), tick=False)
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(21):
        assert dispatch(DIGEST)["queued"] == 1


def test_sending_a_batch_of_reminders_checks_them_in_a_fixed_number_of_queries(
    cohort, django_assert_max_num_queries, time_machine
):
    for _index in range(8):
        draft(cohort)
    time_machine.move_to(berlin(2022, 9, 27, 9), tick=False)
    dispatch(DRAFT_7D)
    dispatch(DRAFT_1D)
    ids = list(outbox().values_list("pk", flat=True))
    # Load, bounced addresses, still due; then per message: savepoint, lock, update, release.
    with django_assert_max_num_queries(3 + 8 * 4):
        send_batch(ids)
    assert len(mail.outbox) == 8
