"""The PDF's text layer keeps zero-width joiners: a Persian name with ZWNJ ("زرین‌کوب") reads with
its ZWNJ to plain text extraction (pypdf, and poppler's pdftotext where installed), not only in
the structure tree, while the picture stays that of the whole page and the PDF stays PDF/A-3a
and PDF/UA-1. (WeasyPrint draws no glyph for a joiner; ``portal.pdf.joiners`` has it draw the
font's own zero-width one.)"""

import io
import shutil
import subprocess

import pytest
from PIL import ImageChops
from pypdf import PdfReader

from certificates import render
from portal import pdf
from tests.certificates import test_certificates as base
from tests.certificates.pdf_checks import check_accessible
from tests.certificates.test_render import certificate_for, picture

pytestmark = pytest.mark.django_db
cohort = base.cohort

ZWNJ, ZWJ = "\u200c", "\u200d"
NAMES = ["مهرداد زرین\u200cکوب", "پریسا ژیان\u200cپور", "Mehr\u200cdad Zarin\u200dkub"]


@pytest.fixture(autouse=True)
def _fresh_layers():
    pdf.forget_layers()
    yield
    pdf.forget_layers()


def pypdf_text(content: bytes) -> str:
    return PdfReader(io.BytesIO(content)).pages[0].extract_text()


def pdftotext(content: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode()


@pytest.mark.parametrize("name", NAMES)
def test_the_text_layer_reads_the_name_with_its_joiners(cohort, name):
    content, _digest = render.render_certificate_pdf(certificate_for(cohort, holder_name=name))
    assert name in pypdf_text(content)
    check_accessible(content)


def test_without_the_joiner_glyph_the_text_layer_would_lose_it(cohort, monkeypatch):
    """What the drawing of the joiner prevents: WeasyPrint alone writes no glyph for it."""
    from portal.pdf import joiners

    monkeypatch.setattr(joiners, "show_joiners", lambda textbox: None)
    content, _digest = render.render_certificate_pdf(certificate_for(cohort, holder_name=NAMES[0]))
    assert NAMES[0].replace(ZWNJ, "") in pypdf_text(content)
    assert NAMES[0] not in pypdf_text(content)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
@pytest.mark.parametrize("name", NAMES[:2])
def test_an_independent_extractor_reads_the_joiner_too(cohort, name):
    content, _digest = render.render_certificate_pdf(certificate_for(cohort, holder_name=name))
    extracted = pdftotext(content)
    # poppler writes a right-to-left line in logical order (between embedding marks).
    assert name in extracted
    assert name.replace(ZWNJ, "") not in extracted


@pytest.mark.parametrize("name", NAMES[:2])
def test_the_joiner_glyph_does_not_change_the_picture(cohort, name):
    certificate = certificate_for(cohort, holder_name=name)
    whole = pdf.render_pdf(render.certificate_html(certificate), variant="pdf/a-3b")
    layered, _digest = render.render_certificate_pdf(certificate)
    without = name.replace(ZWNJ, "")
    plain, _digest = render.render_certificate_pdf(certificate_for(cohort, holder_name=without))

    difference = ImageChops.difference(picture(whole), picture(layered)).convert("L")
    assert sum(difference.histogram()[33:]) == 0
    # The joiner still does its work: the letters before it do not join the ones after it.
    assert ImageChops.difference(picture(layered), picture(plain)).getbbox() is not None
