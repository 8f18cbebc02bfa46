"""Every write path answers a refusal with the form, everything typed and the reason.

Time sits exactly at the boundary: 23:59:59 on the deadline day is still in, 00:00:00 after it is
out, in Europe/Berlin, in summer time (04.10.2022) and in winter time (05.12.2022).
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from applications.decisions import decide
from applications.models import Application
from applications.services import grant_extension
from cohorts.models import Enrollment
from tests.factories import CohortFactory, UserFactory, berlin

from .conftest import form_data, make_draft, pdf_upload
from .test_review import submitted

pytestmark = pytest.mark.django_db

TYPED = "Was ich nach Fristende getippt habe – bitte nicht verlieren. Größe ✓"


@pytest.fixture(params=["summer", "winter"])
def closing(request, db):
    """A cohort whose window ends at the end of its deadline day, in summer or winter time."""
    if request.param == "summer":
        cohort = CohortFactory(
            number=3,
            title="3. Schulungsdurchgang",
            applications_open_at=berlin(2022, 8, 1, 9),
            applications_close_on=dt.date(2022, 10, 4),
            review_phase="decision",  # the offers below are decided; the window is the same
        )
    else:
        cohort = CohortFactory(
            number=5,
            title="5. Schulungsdurchgang",
            applications_open_at=berlin(2022, 11, 1, 9),
            applications_close_on=dt.date(2022, 12, 5),
            review_phase="decision",
        )
    return cohort


def last_second(cohort):
    day = cohort.applications_close_on
    return berlin(day.year, day.month, day.day, 23, 59, 59)


def first_second_after(cohort):
    day = cohort.applications_close_on + dt.timedelta(days=1)
    return berlin(day.year, day.month, day.day, 0, 0, 0)


def deadline_text(cohort):
    return f"am {cohort.applications_close_on:%d.%m.%Y} um 24:00 Uhr abgelaufen"


@pytest.fixture
def person(client):
    user = UserFactory(first_name="Jördis", last_name="Groß-Nüßlein")
    client.force_login(user)
    return user


# --- a new draft ------------------------------------------------------------------------------


def test_the_new_draft_form_posts_to_its_cohort_so_a_late_first_save_is_answered_with_the_form(
    client, closing, person
):
    with time_machine.travel(last_second(closing) - dt.timedelta(minutes=5), tick=False):
        page = client.get(reverse("applications:start")).content.decode()
    url = reverse("applications:start_for_cohort", args=[closing.number])
    assert f'action="{url}"' in page
    with time_machine.travel(first_second_after(closing), tick=False):
        response = client.post(url, form_data(motivation=TYPED, endorsement_upload=pdf_upload()))
    html = response.content.decode()
    assert response.status_code == 400
    assert deadline_text(closing) in html
    assert "Ihre Eingaben wurden nicht gespeichert." in html
    assert TYPED in html and "Dr. Hanna Schulze" in html and "h.schulze@example.org" in html
    assert "zuletzt gespeicherter Entwurf" not in html  # there is none
    assert not Application.objects.exists()


def test_a_form_sent_to_the_address_without_a_cohort_after_the_close_is_answered_with_the_form(
    client, closing, person
):
    with time_machine.travel(first_second_after(closing), tick=False):
        response = client.post(reverse("applications:start"), form_data(motivation=TYPED))
    html = response.content.decode()
    assert response.status_code == 400
    assert deadline_text(closing) in html and TYPED in html
    assert not Application.objects.exists()


def test_a_first_save_in_the_last_second_is_kept(client, closing, person):
    url = reverse("applications:start_for_cohort", args=[closing.number])
    with time_machine.travel(last_second(closing), tick=False):
        response = client.post(url, form_data(motivation=TYPED))
    application = Application.objects.get(applicant=person)
    assert response["Location"] == reverse("applications:edit", args=[application.pk])
    assert application.motivation == TYPED


def test_a_second_tab_sending_the_new_draft_form_saves_into_the_existing_draft(client, closing, person):
    url = reverse("applications:start_for_cohort", args=[closing.number])
    with time_machine.travel(last_second(closing) - dt.timedelta(hours=1), tick=False):
        client.post(url, form_data(motivation="Aus dem ersten Tab"))
        response = client.post(url, form_data(motivation=TYPED))
    application = Application.objects.get(applicant=person)
    assert response.status_code == 302
    assert application.motivation == TYPED


# --- saving a draft ---------------------------------------------------------------------------


def test_draft_save_in_the_last_second_is_kept_and_in_the_next_is_refused_with_everything_shown(
    client, closing, person
):
    draft = make_draft(closing, person, motivation="Gespeicherter Stand")
    url = reverse("applications:edit", args=[draft.pk])
    with time_machine.travel(last_second(closing), tick=False):
        assert client.post(url, form_data(motivation="Um 23:59:59")).status_code == 302
    draft.refresh_from_db()
    assert draft.motivation == "Um 23:59:59"
    with time_machine.travel(first_second_after(closing), tick=False):
        response = client.post(url, form_data(motivation=TYPED, action="review"))
    html = response.content.decode()
    assert response.status_code == 400
    assert deadline_text(closing) in html
    assert "Ihre Eingaben wurden nicht gespeichert." in html
    assert "Ihr zuletzt gespeicherter Entwurf bleibt erhalten." in html
    assert TYPED in html
    draft.refresh_from_db()
    assert draft.motivation == "Um 23:59:59" and draft.is_draft


def test_a_draft_submitted_in_another_tab_answers_a_save_with_the_form_not_a_redirect(
    client, closing, person
):
    draft = make_draft(closing, person)
    with time_machine.travel(last_second(closing) - dt.timedelta(hours=1), tick=False):
        client.post(reverse("applications:review", args=[draft.pk]))
        response = client.post(reverse("applications:edit", args=[draft.pk]), form_data(motivation=TYPED))
    html = response.content.decode()
    assert response.status_code == 400
    assert "kann nicht mehr geändert werden" in html and TYPED in html
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED and draft.motivation != TYPED


# --- a refused file ---------------------------------------------------------------------------


@time_machine.travel(berlin(2022, 9, 15, 10), tick=False)
@pytest.mark.parametrize("action", ["save", "review"])
def test_a_refused_file_is_the_only_thing_not_taken(client, cohort, person, action):
    draft = make_draft(cohort, person, motivation="Alter Stand")
    old_file = draft.endorsement.name
    response = client.post(
        reverse("applications:edit", args=[draft.pk]),
        {
            **form_data(motivation=TYPED, department="Neues Amt", action=action),
            "endorsement_upload": pdf_upload("brief.pdf", b"<html>kein pdf</html>"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400  # also for "review": the person is told before moving on
    assert "Ihre übrigen Angaben sind gespeichert." in html
    assert "Die ausgewählte Datei wurde nicht übernommen" in html
    assert "kein PDF-Dokument" in html
    assert 'id="id_endorsement_upload_error"' in html and TYPED in html
    assert f'action="{reverse("applications:edit", args=[draft.pk])}"' in html
    draft.refresh_from_db()
    assert draft.motivation == TYPED and draft.department == "Neues Amt"
    assert draft.endorsement.name == old_file  # the letter uploaded before stays


@time_machine.travel(berlin(2022, 9, 15, 10), tick=False)
def test_a_refused_file_in_a_first_save_creates_the_draft_and_the_form_then_edits_it(client, cohort, person):
    response = client.post(
        reverse("applications:start"),
        {**form_data(motivation=TYPED), "endorsement_upload": pdf_upload("brief.pdf", b"MZ\x90")},
    )
    application = Application.objects.get(applicant=person)
    assert response.status_code == 400
    assert application.motivation == TYPED and not application.endorsement
    assert f'action="{reverse("applications:edit", args=[application.pk])}"' in response.content.decode()


@time_machine.travel(berlin(2022, 9, 15, 10), tick=False)
def test_too_many_uploads_keep_the_rest_and_say_the_file_was_not_kept(client, cohort, person, settings):
    from applications import views

    draft = make_draft(cohort, person)
    url = reverse("applications:edit", args=[draft.pk])
    for _ in range(views.UPLOAD_LIMIT):
        client.post(url, {**form_data(), "endorsement_upload": pdf_upload()})
    response = client.post(url, {**form_data(motivation=TYPED), "endorsement_upload": pdf_upload("neu.pdf")})
    html = response.content.decode()
    assert response.status_code == 400
    assert "sehr viele Dateien" in html and "Die ausgewählte Datei wurde nicht übernommen" in html
    draft.refresh_from_db()
    assert draft.motivation == TYPED and draft.endorsement_name != "neu.pdf"


def test_an_upload_at_the_boundary(client, closing, person):
    draft = make_draft(closing, person, endorsement_name="alt.pdf")
    url = reverse("applications:edit", args=[draft.pk])
    with time_machine.travel(last_second(closing), tick=False):
        client.post(url, {**form_data(), "endorsement_upload": pdf_upload("rechtzeitig.pdf")})
    draft.refresh_from_db()
    assert draft.endorsement_name == "rechtzeitig.pdf"
    with time_machine.travel(first_second_after(closing), tick=False):
        response = client.post(
            url, {**form_data(motivation=TYPED), "endorsement_upload": pdf_upload("spät.pdf")}
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert deadline_text(closing) in html and TYPED in html
    assert "Eine ausgewählte Datei müssen Sie gegebenenfalls erneut auswählen." in html
    draft.refresh_from_db()
    assert draft.endorsement_name == "rechtzeitig.pdf"


# --- submitting -------------------------------------------------------------------------------


def test_submit_at_the_boundary_says_which_deadline(client, closing, person):
    draft = make_draft(closing, person)
    with time_machine.travel(first_second_after(closing), tick=False):
        response = client.post(reverse("applications:review", args=[draft.pk]))
    assert response.status_code == 400
    assert deadline_text(closing) in response.content.decode()
    with time_machine.travel(last_second(closing), tick=False):
        client.post(reverse("applications:review", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED


# --- an individual extension ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("until", "shown"),
    [
        (berlin(2022, 10, 7, 12, 0), "am 07.10.2022 um 12:00 Uhr"),  # summer time
        (berlin(2022, 12, 9, 18, 30), "am 09.12.2022 um 18:30 Uhr"),  # winter time
    ],
)
def test_after_an_extension_ends_the_person_is_told_its_end_not_the_cohorts_deadline(
    client, cohort, person, until, shown
):
    draft = make_draft(cohort, person, motivation="Gespeicherter Stand")
    grant_extension(application=draft, until=until, reason="Krankheit", granted_by=UserFactory(is_staff=True))
    edit = reverse("applications:edit", args=[draft.pk])
    with time_machine.travel(until - dt.timedelta(seconds=1), tick=False):
        assert client.post(edit, form_data(motivation="In der Verlängerung")).status_code == 302
    with time_machine.travel(until, tick=False):
        saved = client.post(edit, form_data(motivation=TYPED))
        page = client.get(edit)
        submit = client.post(reverse("applications:review", args=[draft.pk]))
    for response in (saved, page, submit):
        html = response.content.decode()
        assert (
            f"Ihre verlängerte Bewerbungsfrist für den 3. Schulungsdurchgang ist {shown} abgelaufen." in html
        )
        assert "04.10.2022 um 24:00" not in html
    assert TYPED in saved.content.decode() and saved.status_code == 400
    assert submit.status_code == 400
    draft.refresh_from_db()
    assert draft.motivation == "In der Verlängerung" and draft.is_draft
    person.language = "en"
    person.save(update_fields=["language"])
    with time_machine.travel(until, tick=False):
        english = client.post(edit, form_data(motivation=TYPED)).content.decode()
    assert (
        f"Your extended application deadline for the 3. Schulungsdurchgang ended on {shown[3:13]}" in english
    )


# --- the offer of a seat ----------------------------------------------------------------------


@pytest.fixture
def offer(closing):
    application = submitted(closing)
    decide(
        application_ids=[application.pk],
        decision="accepted",
        by=UserFactory(is_staff=True),
        at=first_second_after(closing),
    )
    application.refresh_from_db()
    # Respond by the deadline day of the fixture: summer or winter time.
    Enrollment.objects.filter(pk=application.enrollment_id).update(respond_by=closing.applications_close_on)
    return application


def test_a_late_confirmation_shows_the_offer_again_with_the_reason(client, closing, offer):
    client.force_login(offer.applicant)
    url = reverse("applications:offer", args=[offer.pk])
    with time_machine.travel(first_second_after(closing), tick=False):
        response = client.post(url, {"answer": "confirm"})
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        f"Die Frist zur Bestätigung des Platzes ist am {closing.applications_close_on:%d.%m.%Y} abgelaufen"
        in html
    )
    assert 'role="alert"' in html and 'value="confirm"' in html and 'value="decline"' in html
    offer.enrollment.refresh_from_db()
    assert offer.enrollment.state == Enrollment.State.OFFERED


def test_a_confirmation_in_the_last_second_counts(client, closing, offer):
    client.force_login(offer.applicant)
    with time_machine.travel(last_second(closing), tick=False):
        response = client.post(reverse("applications:offer", args=[offer.pk]), {"answer": "confirm"})
    assert response["Location"] == reverse("applications:dashboard")
    offer.enrollment.refresh_from_db()
    assert offer.enrollment.state == Enrollment.State.CONFIRMED


def test_an_answer_without_an_open_offer_goes_back_to_the_overview_with_the_reason(client, closing, offer):
    client.force_login(offer.applicant)
    url = reverse("applications:offer", args=[offer.pk])
    with time_machine.travel(last_second(closing), tick=False):
        client.post(url, {"answer": "decline"})
        response = client.post(url, {"answer": "confirm"}, follow=True)
    assert "kein Platz zur Bestätigung offen" in response.content.decode()
