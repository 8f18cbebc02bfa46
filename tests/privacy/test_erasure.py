"""Art. 17 DSGVO: a person deletes their account, at once or, while data must be kept, by locking it."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, StatusChange
from certificates.models import Certificate
from cohorts.models import Enrollment
from portal.accounts.models import User
from portal.mail.models import OutboxMessage
from tests.factories import CohortFactory, UserFactory

from .conftest import (
    PASSWORD,
    db_rows_containing,
    make_application,
    media_files,
    participate,
    person,
    with_letter,
)

pytestmark = pytest.mark.django_db

CONFIRM = {"password": PASSWORD, "confirm": "on"}


def delete(client, user, data=CONFIRM, capture=None):
    client.force_login(user)
    if capture is None:
        return client.post(reverse("delete_account"), data)
    with capture(execute=True):
        return client.post(reverse("delete_account"), data)


def test_without_anything_to_keep_the_account_and_every_trace_go(
    client, settings, django_capture_on_commit_callbacks
):
    cohort = CohortFactory()  # open for applications now
    lea = with_letter(
        p := person("tok-lea"),
        make_application(cohort, p.user, status=Application.Status.DRAFT, token="tok-lea"),
    )
    assert lea.files[0] in media_files(settings)

    client.force_login(lea.user)
    page = client.get(reverse("delete_account"))
    assert "werden sofort gelöscht" in page.content.decode()
    response = delete(client, lea.user, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not User.objects.filter(pk=lea.user.pk).exists()
    assert not Application.objects.exists()
    assert not EmailAddress.objects.exists()
    assert media_files(settings) == set()
    # The mail log keeps only that something was sent, so a retry can never send it again.
    mail = OutboxMessage.objects.get(idempotency_key=f"test-mail:{lea.user.pk}")
    assert (mail.recipient, mail.subject, mail.body_text, mail.user) == ("", "", "", None)
    # Nothing anywhere still names her: tables, audit log, sign-in log.
    assert db_rows_containing("tok-lea") == []
    # Signed out, with a message saying so.
    follow = client.get(reverse("home"))
    assert "Ihr Konto und Ihre Daten sind gelöscht." in follow.content.decode()
    assert client.get(reverse("my_data")).status_code == 302


def test_a_wrong_password_deletes_nothing_and_says_why(client):
    user = UserFactory()
    response = delete(client, user, {"password": "falsch", "confirm": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).is_active
    # Each error is next to its field, tied to it and listed at the top with a link to it.
    assert 'id="id_password_error"' in html and 'id="id_confirm_error"' in html
    assert 'aria-describedby="id_password_helptext id_password_error"' in html
    assert 'aria-invalid="true"' in html
    assert '<a href="#id_password">' in html and '<a href="#id_confirm">' in html
    assert "Das Passwort ist nicht richtig." in html
    assert "Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten." in html


def test_guessing_the_password_is_stopped(client):
    user = UserFactory()
    client.force_login(user)
    statuses = [
        client.post(reverse("delete_account"), {"password": "falsch", "confirm": "on"}).status_code
        for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    # Even the right password waits now.
    assert client.post(reverse("delete_account"), CONFIRM).status_code == 429
    assert User.objects.get(pk=user.pk).is_active


def test_with_a_submitted_application_the_account_is_locked_and_minimised(
    client, settings, django_capture_on_commit_callbacks
):
    running = CohortFactory()
    other = CohortFactory()
    max_ = with_letter(
        p := person("tok-max"),
        make_application(running, p.user, status=Application.Status.SUBMITTED, token="tok-max", sequence=1),
    )
    draft = make_application(other, max_.user, status=Application.Status.DRAFT, token="tok-max")
    kept_letter = max_.application.endorsement.name

    client.force_login(max_.user)
    page = client.get(reverse("delete_account")).content.decode()
    until = running.end_date.replace(year=running.end_date.year + 1)
    assert f"Ihre Bewerbung SCM-{running.number}-0001 für den {running.title} – bis einschließlich" in page
    assert until.strftime("%d.%m.%Y") in page
    response = delete(client, max_.user, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    user = User.objects.get(pk=max_.user.pk)
    assert not user.is_active and user.erasure_requested_at is not None and user.erased_at is None
    assert user.email == f"geloescht-{user.pk}@konto.invalid"
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not user.groups.exists()
    # The name stays: the kept application is about this person.
    assert user.last_name == "Name-tok-max"
    # The draft and its letter are gone; the submitted application is withdrawn and kept.
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert draft.endorsement.name not in media_files(settings)
    kept = Application.objects.get(pk=max_.application.pk)
    assert kept.status == Application.Status.WITHDRAWN and kept.motivation == "Motivation tok-max"
    assert kept_letter in media_files(settings)
    assert StatusChange.objects.get(application=kept, to_status="withdrawn").changed_by == user
    assert "Ihr Konto ist gesperrt" in client.get(reverse("home")).content.decode()
    # Nobody can sign in to it any more, neither with the old address nor with the new one.
    client.logout()
    for login in ("tok-max@example.org", user.email):
        client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
        assert "_auth_user_id" not in client.session
    # The address is free for a new account.
    UserFactory(email="tok-max@example.org")


def test_an_offered_seat_is_declined_and_goes_to_the_waitlist(client, django_capture_on_commit_callbacks):
    cohort = CohortFactory(seats=1)
    ida = person("tok-ida")
    accepted = make_application(
        cohort, ida.user, status=Application.Status.ACCEPTED, token="tok-ida", sequence=1
    )
    seat = Enrollment.objects.create(
        cohort=cohort,
        user=ida.user,
        state=Enrollment.State.OFFERED,
        respond_by=timezone.localdate() + dt.timedelta(days=5),
    )
    Application.objects.filter(pk=accepted.pk).update(enrollment=seat)
    waiting = person("tok-wait")
    next_in_line = make_application(
        cohort, waiting.user, status=Application.Status.WAITLISTED, token="tok-wait", sequence=2
    )

    delete(client, ida.user, capture=django_capture_on_commit_callbacks)

    seat.refresh_from_db()
    assert seat.state == Enrollment.State.DECLINED
    assert Application.objects.get(pk=accepted.pk).status == Application.Status.WITHDRAWN
    assert Application.objects.get(pk=next_in_line.pk).status == Application.Status.ACCEPTED
    assert User.objects.get(pk=ida.user.pk).erasure_requested_at is not None


def test_a_participant_with_a_certificate_is_locked_and_the_certificate_stays(
    client, coordinator, settings, django_capture_on_commit_callbacks
):
    cohort = CohortFactory()
    eva = person("tok-eva")
    participate(eva, cohort, coordinator, certificate_sequence=1)
    page = delete(client, eva.user, data={}).content.decode()
    assert f"Zertifikat {eva.certificate.number}" in page

    delete(client, eva.user, capture=django_capture_on_commit_callbacks)

    assert User.objects.get(pk=eva.user.pk).erasure_requested_at is not None
    certificate = Certificate.objects.get(pk=eva.certificate.pk)
    assert certificate.holder_name == "Erika Name-tok-eva"
    assert set(eva.files) <= media_files(settings)


def test_staff_accounts_are_closed_by_the_administration(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("delete_account"))
    assert "schließt die Verwaltung des Portals" in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    assert client.post(reverse("delete_account"), CONFIRM).status_code == 403
    assert User.objects.get(pk=reviewer.pk).is_active
