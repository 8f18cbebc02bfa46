"""The admin for people who are not developers: German names, no internals on the start page,
wording of its own, a mail preview that wraps and scrolls by keyboard, a decision form with
large radios."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.models import MailTemplate
from tests.factories import UserFactory

from .test_workspace import submitted_many

pytestmark = pytest.mark.django_db


def test_internals_stay_off_a_reviewers_start_page_even_with_permissions(client, reviewer):
    reviewer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["axes", "django_celery_beat"], codename__startswith="view"
        )
    )
    client.force_login(reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    main = page.split('id="content-main"')[1]
    assert "Bewerbungen" in main
    assert reviewer.has_perm("axes.view_accessattempt")
    for internal in ("/admin/axes/", "/admin/django_celery_beat/", "Sonnenereignisse"):
        assert internal not in main


def test_the_superusers_start_page_names_the_second_factors_in_german(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Zweite Faktoren (Authenticator-Apps)" in page and "Zwei-Faktor-Anmeldung" in page
    assert ">Authenticators<" not in page
    # The change log and the login protection under German headings, not "Audit log" and "Axes".
    assert "Änderungsprotokoll" in page and "Anmeldeschutz" in page
    assert ">Audit log<" not in page and ">Axes<" not in page


def test_the_list_has_a_title_of_its_own(client, cohort, reviewer):
    submitted_many(cohort, 1)
    client.force_login(reviewer)
    page = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert "Bewerbungen prüfen und entscheiden" in page
    assert "zur Änderung auswählen" not in page


def test_the_mail_preview_wraps_and_is_a_labelled_focusable_region(client, cohort, reviewer):
    (application,) = submitted_many(cohort, 1)
    template = MailTemplate.objects.filter(kind="rejected", language="de").first()
    client.force_login(reviewer)
    url = (
        reverse("admin:applications_mailtemplate_preview", args=[template.pk])
        + f"?application={application.pk}"
    )
    page = client.get(url).content.decode()
    assert (
        'class="preview-body mail-preview" tabindex="0" role="region" aria-labelledby="preview-text-heading"'
        in page
    )


def test_the_decision_form_is_styled_and_its_errors_link_to_the_field(client, cohort, reviewer):
    (application,) = submitted_many(cohort, 1)
    client.force_login(reviewer)
    url = reverse("admin:applications_application_decide", args=[application.pk])
    page = client.post(url, {"decision": "verschenkt"}).content.decode()
    assert 'class="decision-form"' in page
    assert '<a href="#id_decision">Entscheidung:' in page


def test_a_bulk_preview_skips_the_already_accepted_row_and_says_so(client, cohort, reviewer):
    from applications.decisions import decide

    accepted, waiting = submitted_many(cohort, 2)
    decide(application_ids=[accepted.pk], decision="accepted", by=reviewer, at=cohort.applications_close_at)
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "accept", "_selected_action": [accepted.pk, waiting.pk]},
    )
    page = response.content.decode()
    plan = response.context_data["plan"]
    assert [step.application for step in plan.steps] == [waiting]
    assert [row.application for row in plan.skipped] == [accepted]
    row = page.split(f'<th scope="row">{accepted.reference}</th>')[1].split("</tr>")[0]
    assert "übersprungen: bleibt „angenommen“" in row and ">nein<" in row and "unverändert" not in row
    assert "Bestätigen und 1 E-Mail senden" in page
