"""The reviewer reads the endorsement letter beside the answers, inside a fully sandboxed frame:
its pages arrive as pictures, at desktop and phone widths (``PORTAL_SCREENSHOTS=<folder>`` saves
what they look like)."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import expect

from cohorts.models import ReviewPhase
from tests.applications.test_review import submitted
from tests.e2e.test_account_journeys import log_in
from tests.factories import CohortFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password
SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS", "")
LINES = [
    "Stadt Musterhausen - Die Buergermeisterin",
    "Sehr geehrte Damen und Herren,",
    "hiermit unterstuetze ich die Bewerbung.",
]


def letter_pdf() -> bytes:
    """A one-page A4 letter in Helvetica, written out by hand (a real PDF, no renderer needed)."""
    text = "BT /F1 18 Tf 60 760 Td 26 TL " + " ".join(f"({line}) '" for line in LINES) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_reviewer_sees_the_letter_in_a_sandboxed_frame(page, axe, live_server):
    cohort = CohortFactory(number=8, review_phase=ReviewPhase.REVIEW)
    application = submitted(cohort)
    application.endorsement.save("brief.pdf", ContentFile(letter_pdf()))
    reviewer = UserFactory(email="rita@example.org", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    log_in(page, axe, live_server.url, reviewer.email, PASSWORD)
    page.goto(live_server.url + reverse("admin:applications_application_change", args=[application.pk]))
    axe()
    frame_element = page.locator(".review-letter iframe")
    expect(frame_element).to_have_attribute("sandbox", "")
    for width in (1366, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        frame_element.scroll_into_view_if_needed()
        picture = page.frame_locator(".review-letter iframe").get_by_role("img", name="Seite 1 von 1")
        expect(picture).to_be_visible()
        # The picture arrived and was decoded: the letter is there to read, not a broken image.
        assert picture.evaluate("img => img.complete && img.naturalWidth") == 900
        axe()
        if SCREENSHOTS:
            folder = Path(SCREENSHOTS) / "reviewer"
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{width}-letter.png"), full_page=False)
            frame_element.screenshot(path=str(folder / f"{width}-letter-frame.png"))
