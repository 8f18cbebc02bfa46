"""A sealed certificate stays a PDF 1.7-based PDF/A-3a and PDF/UA-1 with an RSA and with an ECDSA
seal; the development test seal is RSA, and what it seals says "Muster – ohne Gültigkeit" on the
page and in the tagged structure. A name in a script that tells its language carries its own
/Lang, and its exact text (ZWNJ included) in the structure tree."""

import io

import pikepdf
import pypdfium2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from certificates import keys, services
from certificates.models import Certificate
from certificates.seal import check_seal
from tests.certificates import test_certificates as base
from tests.certificates.pdf_checks import check_accessible, mcids_of, structure, validator_failures
from tests.certificates.test_seal import Authority, blank_pdf, use_seal

pytestmark = pytest.mark.django_db
cohort, coordinator = base.cohort, base.coordinator
MARKING = {"de": "Muster – ohne Gültigkeit", "en": "Specimen – not valid"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def development_seal(settings, tmp_path):
    settings.CERTIFICATE_DEV_KEY_DIR = tmp_path / "keys"
    settings.SEAL_KEY_FILE = settings.SEAL_CERT_FILE = settings.SEAL_PKCS12_FILE = ""
    settings.SEAL_CHAIN_FILE = settings.SEAL_TRUST_ROOTS_FILE = ""


def issue(cohort, coordinator, capture, **user) -> Certificate:
    base.graduate(cohort, coordinator, **user)
    with capture(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=base.NOW)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED, certificate.render_error
    return certificate


def assert_pdf_1_7(content: bytes) -> None:
    with pikepdf.open(io.BytesIO(content)) as document:
        assert document.pdf_version == "1.7"
        assert str(document.Root.get("/Version", "/1.7")) == "/1.7"
        assert "/ISO_" not in document.Root.get("/Extensions", {})


def text_of(content: bytes) -> str:
    return pypdfium2.PdfDocument(content)[0].get_textpage().get_text_range()


def test_pyhanko_alone_would_raise_an_ecdsa_sealed_file_to_pdf_2_0(settings, tmp_path):
    """What the portal's writer prevents: the plain writer declares ISO/TS 32002 and PDF 2.0."""
    ca = Authority(tmp_path, "CA", key_type="ec")
    key_file, cert_file = ca.seal("Siegel")
    writer = IncrementalPdfFileWriter(io.BytesIO(blank_pdf()))
    fields.append_signature_field(writer, fields.SigFieldSpec("Siegel", on_page=0))
    signer = signers.SimpleSigner.load(key_file, cert_file, ca_chain_files=[str(ca.cert_file)])
    out = signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Siegel"), signer=signer).sign_pdf(writer)
    with pikepdf.open(out) as document:
        assert str(document.Root.Version) == "/2.0" and "/ISO_" in document.Root.Extensions


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_a_sealed_certificate_stays_pdf_1_7_pdfa_and_pdfua_with_either_key_type(
    settings, tmp_path, cohort, coordinator, django_capture_on_commit_callbacks, key_type
):
    ca = Authority(tmp_path, f"Landes-CA {key_type}", key_type=key_type)
    use_seal(settings, ca, *ca.seal("Siegel MIL Referat 22"))
    certificate = issue(cohort, coordinator, django_capture_on_commit_callbacks, first_name="Erika")
    content = certificate.pdf.read()
    assert check_seal(content).valid
    assert_pdf_1_7(content)
    assert validator_failures(content) == {"3a": [], "ua1": []}
    assert not any(marking in text_of(content) for marking in MARKING.values())  # a configured seal
    _pdf, document, _elements = structure(content)
    assert [kid.S for kid in document.K[0].K] == ["/Div"]  # no marking in the base


def test_the_development_test_seal_is_rsa(development_seal, settings):
    material = keys.seal_material()
    certificate = x509.load_pem_x509_certificate(open(material.cert_file, "rb").read())
    assert isinstance(certificate.public_key(), rsa.RSAPublicKey)
    assert keys.test_seal_in_use()
    settings.PRODUCTION = True
    assert not keys.test_seal_in_use()


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_certificate_sealed_with_the_test_seal_says_so_visibly_and_tagged(
    development_seal, cohort, coordinator, django_capture_on_commit_callbacks, language
):
    certificate = issue(
        cohort, coordinator, django_capture_on_commit_callbacks, first_name="Erika", language=language
    )
    content = certificate.pdf.read()
    assert check_seal(content).signer == keys.TEST_SEAL_NAME
    assert MARKING[language] in text_of(content)
    assert_pdf_1_7(content)
    check_accessible(content)  # all that is painted is tagged; PDF/A-3a and PDF/UA-1 hold
    _pdf, document, elements = structure(content)
    base_layer = document.K[0]  # the base: the head, then the marking, read before the holder
    assert [kid.S for kid in base_layer.K] == ["/Div", "/Note"]
    # A note, not an artifact: a screen reader announces what the document is worth. PDF/UA-1
    # requires a note's ID, unique in the document.
    note = base_layer.K[1]
    assert bytes(note.ID) == b"specimen"
    ids = [bytes(element.ID) for element, _depth in elements if "/ID" in element]
    assert ids == [b"specimen"]
    assert mcids_of(note) or any(  # the note holds the marking's text, itself or in a span
        mcids_of(kid)
        for kid in (note.K if isinstance(note.K, pikepdf.Array) else [note.K])
        if isinstance(kid, pikepdf.Dictionary)
    )


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_the_seals_private_key_is_loaded_once_per_process(settings, tmp_path, monkeypatch, key_type):
    """pyHanko's signer loads (and, for RSA, checks) the private key for every signature; the
    portal's keeps it. The seals it makes verify all the same."""
    from cryptography.hazmat.primitives import serialization

    from certificates import seal

    ca = Authority(tmp_path, f"CA {key_type}", key_type=key_type)
    use_seal(settings, ca, *ca.seal("Siegel"))
    seal._signer.cache_clear()
    loads = []
    original = serialization.load_der_private_key
    monkeypatch.setattr(
        serialization,
        "load_der_private_key",
        lambda *args, **kwargs: loads.append(1) or original(*args, **kwargs),
    )
    sealed = [seal.seal_pdf(blank_pdf()) for _ in range(3)]
    assert len(loads) == 1
    assert all(check_seal(content).valid for content in sealed)
    seal._signer.cache_clear()
