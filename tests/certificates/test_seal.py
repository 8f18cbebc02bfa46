"""The operator's seal on certificate PDFs: sealed, checked, and refused when tampered or foreign.

The CAs are built here with ``cryptography``; nothing depends on the development test seal.
"""

import datetime as dt
import io

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from certificates import keys, selectors, services
from certificates.models import Certificate
from certificates.proof import embedded_files
from certificates.seal import check_seal, seal_certificate, seal_pdf
from tests.certificates import test_certificates as base

NOW = base.NOW
graduate = base.graduate
cohort = base.cohort
coordinator = base.coordinator

pytestmark = pytest.mark.django_db

OPERATOR = "Ministerium für Infrastruktur und Landesplanung des Landes Brandenburg"


def _name(common_name: str, organisation: str = OPERATOR) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def new_key(key_type: str):
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


class Authority:
    """A CA made for one test, issuing seal certificates (ECDSA P-256 or RSA) and timestamp
    authorities into a folder."""

    def __init__(self, folder, name: str, key_type: str = "ec"):
        self.folder = folder / name
        self.folder.mkdir()
        self.key_type = key_type
        self.key = new_key(key_type)
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1500)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=3000))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.cert_file = self.folder / "ca.pem"
        self.cert_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def timestamper(self, common_name: str = "Test-Zeitstempeldienst", fixed_dt=None):
        """pyHanko's in-process RFC 3161 timestamp authority, its certificate under this CA."""
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # the dummy TSA signs with RSA
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1000)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=2000))
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            fixed_dt=fixed_dt,
        )

    def seal(self, common_name: str) -> tuple[str, str]:
        key = new_key(self.key_type)
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(ca=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        key_file = self.folder / f"{common_name}-key.pem"
        cert_file = self.folder / f"{common_name}-cert.pem"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return str(key_file), str(cert_file)


def use_seal(settings, ca: Authority, key_file: str, cert_file: str) -> None:
    settings.SEAL_KEY_FILE = key_file
    settings.SEAL_CERT_FILE = cert_file
    settings.SEAL_CHAIN_FILE = str(ca.cert_file)
    settings.SEAL_TRUST_ROOTS_FILE = str(ca.cert_file)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def operator_ca(settings, tmp_path):
    ca = Authority(tmp_path, "Test-CA der Landesverwaltung")
    use_seal(settings, ca, *ca.seal("Siegel MIL Referat 22"))
    return ca


def blank_pdf() -> bytes:
    out = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(out)
    return out.getvalue()


def test_sealed_pdf_is_intact_trusted_and_names_the_operator(operator_ca):
    original = blank_pdf()
    sealed = seal_pdf(original)
    assert sealed.startswith(original)  # an incremental update: the rendered bytes stay as they were
    status = validate_pdf_signature(
        PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0],
        ValidationContext(trust_roots=[seal_certificate()], allow_fetching=False),
    )
    assert status.intact and status.valid
    result = check_seal(sealed)
    assert result.valid, result.message
    assert result.signer == "Siegel MIL Referat 22"
    assert result.organisation == OPERATOR
    assert result.sealed_at is None and not result.timestamped  # no timestamp: the time is not proven
    assert result.time_note == (
        "Der Zeitpunkt des Siegelns ist nicht nachgewiesen: Die Datei trägt keinen Zeitstempel."
    )


def test_one_changed_byte_is_refused(operator_ca):
    sealed = bytearray(seal_pdf(blank_pdf()))
    position = sealed.index(b"/MediaBox")  # inside the sealed range, not the signature itself
    sealed[position + 1] ^= 0x01
    result = check_seal(bytes(sealed))
    assert not result.valid
    assert "verändert" in result.message


def test_anything_appended_after_sealing_is_refused(operator_ca):
    sealed = seal_pdf(blank_pdf())
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = check_seal(out.getvalue())
    assert not result.valid
    assert "ergänzt oder verändert" in result.message


def test_seal_by_another_ca_is_refused(operator_ca, settings, tmp_path):
    ours = (settings.SEAL_KEY_FILE, settings.SEAL_CERT_FILE)
    stranger = Authority(tmp_path, "Fremde CA")
    use_seal(settings, stranger, *stranger.seal("Siegel MIL Referat 22"))  # the same name, a foreign CA
    forged = seal_pdf(blank_pdf())
    use_seal(settings, operator_ca, *ours)
    result = check_seal(forged)
    assert not result.valid
    assert "stammt nicht von der ausstellenden Stelle" in result.message


def test_seal_by_another_holder_under_the_same_ca_is_refused(operator_ca, settings):
    ours = (settings.SEAL_KEY_FILE, settings.SEAL_CERT_FILE)
    use_seal(settings, operator_ca, *operator_ca.seal("Jemand anderes"))
    other = seal_pdf(blank_pdf())
    use_seal(settings, operator_ca, *ours)
    result = check_seal(other)
    assert not result.valid
    assert result.signer == "Jemand anderes"


def test_with_a_timestamp_server_the_seal_is_pades_b_t(operator_ca, settings, monkeypatch, tmp_path):
    """A timestamp authority under its own root answers in-process (pyHanko's dummy TSA); its
    time counts once the root is configured as a TSA trust root."""
    from pyhanko.sign import timestamps

    tsa_root = Authority(tmp_path, "Zeitstempel-Wurzel", key_type="rsa")
    tsa = tsa_root.timestamper()
    requested = []

    def http_timestamper(url, **kwargs):
        requested.append(url)
        return tsa

    monkeypatch.setattr(timestamps, "HTTPTimeStamper", http_timestamper)
    settings.SEAL_TSA_URL = "https://tsa.example.org/"
    sealed = seal_pdf(blank_pdf())
    assert requested == ["https://tsa.example.org/"]
    settings.SEAL_TSA_TRUST_ROOTS_FILE = ""
    unproven = check_seal(sealed)
    assert unproven.valid and not unproven.timestamped and unproven.sealed_at is None
    assert "nicht von einem vertrauenswürdigen Zeitstempeldienst" in unproven.time_note
    settings.SEAL_TSA_TRUST_ROOTS_FILE = str(tsa_root.cert_file)
    result = check_seal(sealed)
    assert result.valid, result.message
    assert result.timestamped and result.sealed_at is not None and result.time_note == ""


def test_pdf_without_seal_or_not_a_pdf(operator_ca):
    assert check_seal(blank_pdf()).message == "Die Datei trägt kein elektronisches Siegel."
    assert not check_seal(b"%PDF-1.7 kaputt").valid


def test_pkcs12_with_password_from_a_secret_file(operator_ca, settings, tmp_path):
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = serialization.load_pem_private_key(open(settings.SEAL_KEY_FILE, "rb").read(), None)
    cert = x509.load_pem_x509_certificate(open(settings.SEAL_CERT_FILE, "rb").read())
    (tmp_path / "seal.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", key, cert, [operator_ca.cert], serialization.BestAvailableEncryption(b"geheim")
        )
    )
    (tmp_path / "seal-password").write_text("geheim\n")
    settings.SEAL_KEY_FILE = settings.SEAL_CERT_FILE = ""
    settings.SEAL_PKCS12_FILE = str(tmp_path / "seal.p12")
    settings.SEAL_PKCS12_PASSWORD_FILE = str(tmp_path / "seal-password")
    assert check_seal(seal_pdf(blank_pdf())).valid


def test_development_generates_a_test_seal_named_as_such(settings, tmp_path):
    settings.CERTIFICATE_DEV_KEY_DIR = tmp_path / "keys"
    settings.SEAL_KEY_FILE = settings.SEAL_CERT_FILE = settings.SEAL_PKCS12_FILE = ""
    settings.SEAL_CHAIN_FILE = settings.SEAL_TRUST_ROOTS_FILE = ""
    result = check_seal(seal_pdf(blank_pdf()))
    assert result.valid
    assert (result.signer, result.organisation) == (
        "Testsiegel – nicht gültig",
        "Testbetrieb Smart City Manager:in",
    )
    assert oct((tmp_path / "keys" / "seal-key.pem").stat().st_mode & 0o777) == "0o600"


def test_production_refuses_to_issue_without_seal_unless_switched_off(
    settings,
    cohort,
    coordinator,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    graduate(cohort, coordinator)
    settings.PRODUCTION = True
    settings.SEAL_KEY_FILE = settings.SEAL_CERT_FILE = settings.SEAL_PKCS12_FILE = ""
    settings.OB_SIGNING_KEY_FILE = str(keys._dev_keys() / "credential-key.pem")
    with pytest.raises(ValidationError, match="Siegel"):
        services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    assert not Certificate.objects.exists()
    settings.CERTIFICATE_SEALING = "off"
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    content = certificate.pdf.read()
    assert check_seal(content).message == "Die Datei trägt kein elektronisches Siegel."
    assert f"Nachweis-{certificate.number}.jwt" in embedded_files(content)
    result = selectors.check_file(content)
    assert result.genuine and result.certificate == certificate
    assert result.message.startswith("Der Fingerabdruck (SHA-256) der Datei stimmt")


def test_issued_certificate_is_sealed_pdfa_and_checked_on_the_page(
    client,
    operator_ca,
    cohort,
    coordinator,
    django_capture_on_commit_callbacks,
):
    graduate(cohort, coordinator, first_name="Erika", last_name="Muster")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    certificate.refresh_from_db()
    content = certificate.pdf.read()
    reader = PdfReader(io.BytesIO(content))
    assert b"pdfaid:part>3<" in reader.xmp_metadata.stream.get_data() or b'pdfaid:part="3"' in (
        reader.xmp_metadata.stream.get_data()
    )
    assert check_seal(content).valid

    def verify(data: bytes) -> str:
        return client.post(
            reverse("certificates:verify"), {"datei": SimpleUploadedFile("z.pdf", data)}
        ).content.decode()

    page = verify(content)
    assert "Die Datei ist ein unverändertes, gültiges Zertifikat." in page
    assert "Gesiegelt von: " + OPERATOR + " (Siegel MIL Referat 22)" in page
    tampered = bytearray(content)
    tampered[len(content) // 3] ^= 0x01
    page = verify(bytes(tampered))
    assert "Die Datei ist nicht echt oder wurde verändert." in page
    assert "gültiges Zertifikat" not in page

    services.revoke(certificate=certificate, reason="Falsche Angaben", by=coordinator, at=NOW)
    page = verify(content)
    assert "Die Datei ist unverändert, das Zertifikat wurde aber widerrufen." in page
    assert "Falsche Angaben" in page
    assert "gültiges Zertifikat" not in page


def test_deploy_check_warns_when_production_lacks_seal_and_key(settings):
    from certificates.checks import seal_and_signing_key

    settings.PRODUCTION = True
    settings.SEAL_KEY_FILE = settings.SEAL_CERT_FILE = settings.SEAL_PKCS12_FILE = ""
    settings.OB_SIGNING_KEY_FILE = ""
    messages = [message.msg for message in seal_and_signing_key(None)]
    assert len(messages) == 2 and "SEAL_PKCS12_FILE" in messages[0] and "OB_SIGNING_KEY_FILE" in messages[1]
    settings.CERTIFICATE_SEALING = "off"
    assert [m.msg for m in seal_and_signing_key(None)] == messages[1:]


def test_the_sealed_certificate_with_its_credential_stays_pdfa_and_pdfua(
    operator_ca, cohort, coordinator, django_capture_on_commit_callbacks
):
    from tests.certificates.pdf_checks import validator_failures

    graduate(cohort, coordinator, first_name="Erika", last_name="Muster")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    certificate.refresh_from_db()
    content = certificate.pdf.read()
    assert check_seal(content).valid and f"Nachweis-{certificate.number}.jwt" in embedded_files(content)
    assert validator_failures(content) == {"3a": [], "ua1": []}


def test_a_seal_whose_update_would_end_a_stream_in_a_carriage_return_is_made_again(monkeypatch):
    """PDF/A counts a stream's last CR before "\\nendstream" as part of the end-of-line marker
    (its /Length then reads one byte off): such an update is made again after blank lines."""
    from pyhanko.pdf_utils import generic

    from certificates import seal

    def written(data: bytes) -> bytes:  # a stream exactly as pyHanko writes it into an update
        out = io.BytesIO()
        generic.StreamObject(stream_data=data).write_to_stream(out, None)
        return out.getvalue()

    assert seal.ambiguous_stream_end(b"1 0 obj\n" + written(b"x\xce\x0e\r"))
    assert not seal.ambiguous_stream_end(written(b"x\t\n") + written(b"yz") + written(b"\rq"))

    calls = []

    def sign_once(pdf, signer, timestamper, metadata):
        calls.append(pdf)
        tail = b"stream\nQ\r\nendstream" if len(calls) == 1 else b"stream\nQ\nendstream"
        return pdf + tail

    monkeypatch.setattr(seal, "_sign_once", sign_once)
    monkeypatch.setattr(seal, "_signer", lambda material: None)
    monkeypatch.setattr(seal.keys, "seal_material", lambda: None)
    sealed = seal._seal(b"%PDF-1.7\n%%EOF\n")
    assert calls == [b"%PDF-1.7\n%%EOF\n", b"%PDF-1.7\n%%EOF\n\n"]
    assert sealed == b"%PDF-1.7\n%%EOF\n\nstream\nQ\nendstream"
