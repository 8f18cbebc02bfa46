"""The next certificate of a cohort reuses the laid-out foreground of the one before, with its
own lines put in (``portal.pdf.warm``): the file is byte for byte the one a fresh layout gives,
and a line that would be laid out differently (another font, too wide for the zone) is laid out
afresh instead."""

import pytest

from certificates import render
from portal import pdf
from portal.pdf import render as pdf_render
from tests.certificates import test_certificates as base
from tests.certificates.test_render import certificate_for

pytestmark = pytest.mark.django_db
cohort = base.cohort


@pytest.fixture(autouse=True)
def _fresh_layers():
    pdf.forget_layers()
    yield
    pdf.forget_layers()


def fresh(certificate) -> bytes:
    pdf.forget_layers()
    return render.render_certificate_pdf(certificate)[0]


def layouts(monkeypatch) -> list:
    """Every foreground laid out from here on."""
    from portal.pdf import layers

    laid_out = []
    original = layers.layout_document
    monkeypatch.setattr(
        layers, "layout_document", lambda html, *a: laid_out.append(html) or original(html, *a)
    )
    return laid_out


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("Anna Braun", "Cottbus/Chóśebuz"), ("Jördis Groß-Łęcka", "Amt Lieberose/Oberspreewald")),
        (("Anna Braun", "Cottbus/Chóśebuz"), ("Nguyễn Thị Minh Khai", "Schwedt/Oder")),
        (("Anna Braun", ""), ("Bernd Kowalski", "")),
    ],
)
def test_a_reused_foreground_gives_the_same_file_as_a_fresh_layout(cohort, monkeypatch, first, second):
    render.render_certificate_pdf(certificate_for(cohort, *first, sequence=1))
    certificate = certificate_for(cohort, *second, sequence=2)
    laid_out = layouts(monkeypatch)
    reused = render.render_certificate_pdf(certificate)[0]
    assert laid_out == []  # nothing was laid out: the kept foreground took the new lines
    assert reused == fresh(certificate)


@pytest.mark.parametrize(
    "name",
    [
        "مهرداد زرین\u200cکوب",  # another font: another line height and baseline
        "Wolfgang-Maximilian Ölschläger-Przybyłowicz von Wüstenhagen",  # too wide for 24 pt
    ],
)
def test_a_line_that_would_lie_differently_is_laid_out_afresh(cohort, monkeypatch, name):
    render.render_certificate_pdf(certificate_for(cohort, "Anna Braun", sequence=1))
    certificate = certificate_for(cohort, name, sequence=2)
    laid_out = layouts(monkeypatch)
    content = render.render_certificate_pdf(certificate)[0]
    assert laid_out, "the foreground was laid out afresh"
    assert content == fresh(certificate)


def test_a_foreground_is_kept_only_at_the_first_type(cohort):
    long_name = "Wolfgang-Maximilian Ölschläger-Przybyłowicz von Wüstenhagen"
    render.render_certificate_pdf(certificate_for(cohort, long_name, sequence=1))
    assert pdf_render._renderer().warm == {}  # laid out smaller: nothing to reuse at 24 pt
    render.render_certificate_pdf(certificate_for(cohort, "Anna Braun", sequence=2))
    assert len(pdf_render._renderer().warm) == 1
