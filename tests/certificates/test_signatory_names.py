# ruff: noqa: F811 (the fixtures are shared with test_certificates)
"""The certificate's signature blocks carry the signatories' names from settings, in the
certificate's language, not empty lines."""

import io

import pytest
from pypdf import PdfReader

from certificates import render
from tests.certificates.test_certificates import cohort, coordinator  # noqa: F401
from tests.certificates.test_render import certificate_for

pytestmark = pytest.mark.django_db

SIGNATORIES = [
    {
        "name": "Referat 22",
        "function": "Ministerium",
        "name_en": "Unit 22",
        "function_en": "Ministry",
        "person": "Dr. Katrin Groß-Łęcka",
        "person_en": "Dr Katrin Groß-Łęcka",
    },
    {"name": "Programmleitung", "function": "DigitalAgentur", "person": "Jonas Öztürk"},
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("de", ["Dr. Katrin Groß-Łęcka", "Jonas Öztürk"], "Dr Katrin"),
        ("en", ["Dr Katrin Groß-Łęcka", "Jonas Öztürk"], "Dr. Katrin"),
    ],
)
def test_each_signature_block_prints_its_persons_name(cohort, settings, language, expected, absent):
    settings.CERTIFICATE_SIGNATORIES = SIGNATORIES
    certificate = certificate_for(cohort)
    certificate.language = language
    content, _digest = render.render_certificate_pdf(certificate)
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    for name in expected:
        assert name in text
    assert absent not in text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_the_default_signatories_name_a_person_in_both_languages(settings, language):
    from django.utils import translation

    settings.CERTIFICATE_SIGNATORIES = []  # the default: the operator's texts sign
    with translation.override(language):
        signatories = render.signatories(settings.PORTAL_STATE)
    assert len(signatories) == 2
    for signatory in signatories:
        assert signatory["name"] and signatory["function"] and signatory["person"]
