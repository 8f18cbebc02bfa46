import pytest
import time_machine
from django.urls import reverse

from applications.models import Application
from tests.factories import UserFactory, berlin

from .conftest import form_data, make_draft, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

DURING = berlin(2022, 9, 15, 10)


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


@time_machine.travel(DURING, tick=False)
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("brief.pdf", b"MZ\x90\x00" + b"\x00" * 200, "kein PDF-Dokument"),
        ("brief.pdf", b"<html><script>alert(1)</script></html>", "kein PDF-Dokument"),
        ("brief.pdf", b"%PDF-1.7\n garbage that is not a pdf", "beschädigt"),
        ("brief.pdf", pdf_bytes() + b" " * (5 * 1024 * 1024), "höchstens 5,0"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message_and_the_rest_is_saved(
    logged_in, cohort, applicant, name, content, message
):
    response = logged_in.post(
        reverse("applications:start"), {**form_data(), "endorsement_upload": pdf_upload(name, content)}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Dr. Hanna Schulze" in html
    # The file is the one thing not taken: the rest is saved, and the page says so.
    assert "Die ausgewählte Datei wurde nicht übernommen" in html
    application = Application.objects.get()
    assert application.supervisor_name == "Dr. Hanna Schulze" and not application.endorsement


@time_machine.travel(DURING, tick=False)
def test_pdf_named_exe_is_accepted_by_content(logged_in, cohort, applicant):
    logged_in.post(
        reverse("applications:start"), {**form_data(), "endorsement_upload": pdf_upload("../../x.exe")}
    )
    application = Application.objects.get()
    assert application.endorsement_name == "x.exe.pdf"


@time_machine.travel(DURING, tick=False)
def test_endorsement_download_is_an_attachment_for_applicant_and_reviewer_only(client, cohort, applicant):
    from django.contrib.auth.models import Group

    application = make_draft(cohort, applicant, endorsement_name='Schreiben "Bürgermeister".pdf')
    url = reverse("applications:endorsement", args=[application.pk])
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    reviewer = UserFactory(is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    client.force_login(reviewer)
    assert client.get(url).status_code == 200

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
