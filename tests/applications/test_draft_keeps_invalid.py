"""A draft never refuses to save: a value that is not valid is kept and flagged, the rest is saved,
the page says what to correct, and submitting waits until it is corrected. Only a refused file is
not kept."""

import pytest
import time_machine
from django.urls import reverse

from applications.models import Application
from portal.models import Municipality
from tests.factories import UserFactory, berlin

from .conftest import form_data, make_draft, pdf_upload

pytestmark = pytest.mark.django_db

DURING = berlin(2022, 9, 15, 10)


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


# One invalid value per kind of field: what was sent, the message the page shows for it.
INVALID = {
    "single-line text over its limit": ("department", "Amt " * 60, "höchstens 200 Zeichen"),
    "single-line text with a control character": ("position", "Leiterin\x07", "U+0007"),
    "phone number": ("phone", "abc", "Bitte geben Sie eine Telefonnummer an"),
    "long text over its limit": ("motivation", "ü" * 2001, "höchstens 2000 Zeichen"),
    "e-mail address": ("supervisor_email", "h.schulze@", "gültige E-Mail-Adresse"),
    "radio buttons": ("strategy", "vielleicht", "eine der angebotenen Antworten"),
    "select list": ("municipality", "999999", "nicht in der Liste des Programms"),
}


@time_machine.travel(DURING, tick=False)
@pytest.mark.parametrize(("name", "value", "message"), INVALID.values(), ids=INVALID.keys())
def test_an_invalid_value_of_every_field_type_is_kept_and_flagged(
    logged_in, cohort, applicant, name, value, message
):
    response = logged_in.post(reverse("applications:start"), form_data(**{name: value}))
    application = Application.objects.get(applicant=applicant)
    assert response.status_code == 302 and response.url == reverse("applications:edit", args=[application.pk])
    # Everything valid is saved; the invalid value is kept, its field left empty.
    assert application.is_draft and application.invalid_input == {name: value}
    assert application.supervisor_name == "Dr. Hanna Schulze" and application.privacy_consent_at
    assert getattr(application, name) in ("", None)
    # Coming back later, the page says what to correct, linked to the field.
    page = logged_in.get(reverse("applications:edit", args=[application.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ihr Entwurf ist gespeichert. Bitte korrigieren Sie diese Angaben vor dem Absenden" in html
    assert message in html and 'aria-invalid="true"' in html
    anchor = f"#id_{name}_0" if name == "strategy" else f"#id_{name}"
    assert f'href="{anchor}"' in html or f'href="#id_{name}"' in html
    if name not in ("strategy", "municipality"):  # a choice outside the list cannot be shown selected
        assert value.replace("\x07", "&#x07;") in html or value in html


@time_machine.travel(DURING, tick=False)
def test_both_employer_fields_keep_the_second_and_flag_it(logged_in, cohort, applicant):
    logged_in.post(reverse("applications:start"), form_data(other_employer="Landkreis Barnim"))
    application = Application.objects.get(applicant=applicant)
    assert application.municipality == Municipality.objects.get(ags="12054000")
    assert application.invalid_input == {"other_employer": "Landkreis Barnim"}
    html = logged_in.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert "nicht beides" in html and 'value="Landkreis Barnim"' in html


@time_machine.travel(DURING, tick=False)
def test_an_unticked_consent_is_saved_as_not_given(logged_in, cohort, applicant):
    data = form_data()
    del data["privacy_consent"]
    logged_in.post(reverse("applications:start"), data)
    application = Application.objects.get(applicant=applicant)
    assert application.privacy_consent_at is None and application.invalid_input == {}


@time_machine.travel(DURING, tick=False)
def test_a_refused_file_is_not_kept_but_an_invalid_phone_is(logged_in, cohort, applicant):
    response = logged_in.post(
        reverse("applications:start"),
        {**form_data(phone="abc"), "endorsement_upload": pdf_upload("brief.pdf", b"<html>kein pdf</html>")},
    )
    application = Application.objects.get(applicant=applicant)
    html = response.content.decode()
    assert response.status_code == 400
    assert "kein PDF-Dokument" in html and "Bitte geben Sie eine Telefonnummer an" in html
    assert application.invalid_input == {"phone": "abc"} and not application.endorsement


@time_machine.travel(DURING, tick=False)
def test_submitting_waits_until_the_kept_value_is_corrected(logged_in, cohort, applicant):
    application = make_draft(cohort, applicant)
    logged_in.post(
        reverse("applications:edit", args=[application.pk]), form_data(phone="abc", action="review")
    )
    application.refresh_from_db()
    assert application.invalid_input == {"phone": "abc"}

    review = logged_in.get(reverse("applications:review", args=[application.pk])).content.decode()
    assert 'href="' + reverse("applications:edit", args=[application.pk]) + '#id_phone"' in review
    refused = logged_in.post(reverse("applications:review", args=[application.pk]))
    assert refused.status_code == 400 and "Bitte korrigieren Sie noch: Telefon." in refused.content.decode()
    application.refresh_from_db()
    assert application.is_draft

    dashboard = logged_in.get(reverse("applications:dashboard")).content.decode()
    assert "<strong>Zu korrigieren:</strong> Telefon</p>" in dashboard
    assert "Es fehlen noch:" not in dashboard  # everything else is there

    logged_in.post(reverse("applications:edit", args=[application.pk]), form_data(phone="0331 98765"))
    application.refresh_from_db()
    assert application.invalid_input == {} and application.phone == "0331 98765"
    logged_in.post(reverse("applications:review", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


@time_machine.travel(DURING, tick=False)
def test_a_kept_value_is_only_shown_to_its_author(client, cohort, applicant):
    application = make_draft(cohort, applicant, invalid_input={"phone": "geheim-123x"})
    client.force_login(UserFactory())
    assert client.get(reverse("applications:edit", args=[application.pk])).status_code == 404


@time_machine.travel(DURING, tick=False)
def test_a_draft_with_kept_values_costs_no_more_queries(
    logged_in, cohort, applicant, django_assert_num_queries
):
    application = make_draft(cohort, applicant, invalid_input={"phone": "abc", "motivation": "x" * 2001})
    with django_assert_num_queries(6):
        response = logged_in.get(reverse("applications:edit", args=[application.pk]))
    assert "Bitte geben Sie eine Telefonnummer an" in response.content.decode()
    # The same as a draft with nothing to correct (5), and one more for the kept municipality's check.
