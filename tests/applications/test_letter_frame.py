# ruff: noqa: F811 - the fixture in_review is imported by name
"""The endorsement beside the answers: a fully sandboxed frame showing the letter's pages as
pictures. Hostile letters (many pages, a huge file, a broken one, one that renders too slowly)
end in a short notice pointing to the download, never in a hanging page."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfWriter

from applications.models import Application
from portal.pdf import preview

from .test_workspace import in_review, submitted_many  # noqa: F401 - in_review is a fixture

pytestmark = pytest.mark.django_db


def pdf(pages: int, width: float = 595, height: float = 842) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=height)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def frame(client, application, content: bytes) -> str:
    Application.objects.get(pk=application.pk).endorsement.save("letter.pdf", ContentFile(content))
    response = client.get(reverse("admin:applications_application_endorsement", args=[application.pk]))
    assert response.status_code == 200
    assert "sandbox" in [part.strip() for part in response["Content-Security-Policy"].split(";")]
    return response.content.decode()


@pytest.fixture
def letter(client, in_review, reviewer):
    (application,) = submitted_many(in_review, 1)
    client.force_login(reviewer)
    return application


def test_each_page_is_a_picture_with_its_number(client, letter):
    html = frame(client, letter, pdf(3))
    assert html.count('src="data:image/jpeg;base64,') == 3
    assert 'alt="Seite 2 von 3"' in html and "<script" not in html
    assert "css/letter-frame.css" in html


def test_a_letter_of_many_pages_shows_the_first_and_says_where_the_rest_is(client, letter):
    html = frame(client, letter, pdf(3000))
    assert html.count("data:image/jpeg") == preview.MAX_PAGES
    assert f"Die Vorschau zeigt die ersten {preview.MAX_PAGES} von 3000 Seiten." in html


def test_a_page_of_absurd_size_is_scaled_down(client, letter):
    html = frame(client, letter, pdf(1, width=14400, height=14400))
    assert html.count("data:image/jpeg") == 1


def test_a_broken_letter_gets_a_notice_instead_of_pages(client, letter):
    html = frame(client, letter, b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\ntrailer garbage")
    assert "data:image" not in html
    assert "kann nicht als Vorschau gezeigt werden" in html


def test_a_file_beyond_the_limit_is_not_read_at_all(client, letter, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a file beyond the limit must not be rendered")

    monkeypatch.setattr("applications.admin.workspace.render_pages", refuse)
    html = frame(client, letter, b"%PDF-1.7\n" + b"0" * preview.MAX_BYTES)
    assert "zu groß für die Vorschau" in html and "data:image" not in html


def test_rendering_that_takes_too_long_is_stopped():
    # The child process is killed at the deadline; the answer says so instead of waiting.
    assert preview.render_pages(pdf(200), timeout=0.05).problem == "timeout"
    assert preview.render_pages(b"not a pdf").problem == "unreadable"
