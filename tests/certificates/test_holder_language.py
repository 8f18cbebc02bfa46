"""A name in a script that tells its language is tagged with that language (/Lang) and keeps its
exact text, zero-width non-joiner included, in the structure tree (/ActualText): shaping draws
no glyph for ZWNJ, so without it assistive technology would read "زرینکوب" for "زرین‌کوب"."""

import pytest

from certificates import render
from tests.certificates import test_certificates as base
from tests.certificates.pdf_checks import check_accessible, structure
from tests.certificates.test_render import certificate_for

pytestmark = pytest.mark.django_db
cohort = base.cohort

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("Jördis Groß-Łęcka", ""),
        ("Олександра Шевченко", ""),  # Cyrillic is written in many languages
        ("Παναγιώτης Αλεξανδρόπουλος", "el"),
        ("אברהם בן־דוד כהן", "he"),
        ("مريم عبد الرحمن الحسيني", "ar"),
        ("مهرداد زرین‌کوب", "fa"),
        ("ملالۍ یوسفزۍ", "ps"),
        ("عمران خان نیازی ے", "ur"),
        ("Mehrdad زرین", ""),  # two scripts: the document's language stays
    ],
)
def test_the_script_tells_the_language_where_it_can(name, language):
    assert render.name_language(name) == language


@pytest.mark.parametrize(
    ("name", "language"),
    [("مهرداد زرین‌کوب", "fa"), ("אברהם בן־דוד כהן", "he"), ("مريم عبد الرحمن الحسيني", "ar")],
)
def test_the_holders_paragraph_has_its_language_and_exact_text(cohort, name, language):
    content, _digest = render.render_certificate_pdf(certificate_for(cohort, holder_name=name))
    check_accessible(content)
    pdf, document, _elements = structure(content)
    holder = document.K[1].K[0]
    assert holder.S == "/P"
    assert str(holder.Lang) == language
    assert str(holder.ActualText) == name
    assert (ZWNJ in str(holder.ActualText)) == (ZWNJ in name)
    assert str(pdf.Root.Lang) == "de"  # the document's own language is unchanged


def test_a_latin_name_is_left_as_rendered(cohort):
    content, _digest = render.render_certificate_pdf(certificate_for(cohort))
    _pdf, document, _elements = structure(content)
    holder = document.K[1].K[0]
    assert "/Lang" not in holder and "/ActualText" not in holder
