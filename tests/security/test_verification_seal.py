"""The verification page never calls a changed file "unverändert", and shows a time of sealing
only where a trusted timestamp proves it. An independent verifier (pyHanko's validator with the
trust roots, PyJWT for the credential) accepts what the portal issues.

The seal's CA and the timestamp authorities are built in the test (pyHanko's in-process RFC 3161
TSA); the files the attacker sends are made from an issued certificate by changing bytes outside
the signed range: the zero padding of ``/Contents`` and the unsigned attributes of the CMS."""

import asyncio
import datetime as dt
import hashlib
import io
import json
import zoneinfo

import jwt
import pikepdf
import pytest
from asn1crypto import cms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import timestamps
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from certificates import openbadges, services
from certificates.models import Certificate
from certificates.proof import embedded_files
from certificates.seal import check_seal
from certificates.selectors import Verdict, check_file
from tests.certificates import test_certificates as base
from tests.certificates.test_seal import Authority, use_seal

pytestmark = pytest.mark.django_db
cohort, coordinator = base.cohort, base.coordinator
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
BACKDATED = dt.datetime(2023, 1, 2, 11, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pki(settings, tmp_path, monkeypatch):
    """The operator's seal (RSA) and a timestamp authority under a configured TSA root."""
    operator = Authority(tmp_path, "Landes-CA", key_type="rsa")
    use_seal(settings, operator, *operator.seal("Siegel MIL Referat 22"))
    tsa_root = Authority(tmp_path, "Zeitstempel-Wurzel", key_type="rsa")
    tsa = tsa_root.timestamper()
    monkeypatch.setattr(timestamps, "HTTPTimeStamper", lambda url, **kwargs: tsa)
    settings.SEAL_TSA_URL = "https://tsa.example.org/"
    settings.SEAL_TSA_TRUST_ROOTS_FILE = str(tsa_root.cert_file)
    return {"operator": operator, "tsa_root": tsa_root, "folder": tmp_path}


@pytest.fixture
def issued(pki, cohort, coordinator, django_capture_on_commit_callbacks):
    base.graduate(cohort, coordinator, first_name="Erika", last_name="Muster")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=base.NOW)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    return certificate


def verdict_section(client, content: bytes) -> tuple[object, str]:
    """The page's answer to an upload: its result and the text of the alert that states it."""
    response = client.post(reverse("certificates:verify"), {"datei": SimpleUploadedFile("z.pdf", content)})
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<div class="kern-alert', page.index("Datei prüfen</h2>"))
    return response.context["pdf_result"], page[start : page.index('<form method="post"', start)]


def rewrite_signature(pdf: bytes, change) -> bytes:
    """The PDF with its signature container changed by ``change(signer_info)`` and written back
    into the same ``/Contents`` (outside the signed byte range), padded with zeros as before."""
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    _start, before, after, _length = signature.sig_object["/ByteRange"]
    hex_digits = pdf[before + 1 : after - 1]
    container = cms.ContentInfo.load(bytes.fromhex(hex_digits.decode()))
    change(container["content"]["signer_infos"][0])
    new = container.dump(force=True).hex().encode()
    assert len(new) <= len(hex_digits)
    return pdf[: before + 1] + new + b"0" * (len(hex_digits) - len(new)) + pdf[after - 1 :]


def add_timestamp(tsa, *, imprint_of: bytes | None = None):
    """A change that puts a signature timestamp from ``tsa`` into the unsigned attributes, over
    the signature value (or over ``imprint_of``: a timestamp that belongs to something else)."""

    def change(signer_info):
        digest = hashlib.sha256(imprint_of or signer_info["signature"].native).digest()
        token = asyncio.run(tsa.async_timestamp(digest, "sha256"))
        signer_info["unsigned_attrs"] = cms.CMSAttributes(
            [cms.CMSAttribute({"type": "signature_time_stamp_token", "values": [token]})]
        )

    return change


def test_an_independent_verifier_accepts_the_sealed_timestamped_credentialled_certificate(
    client, issued, pki
):
    content = issued.pdf.read()
    status = validate_pdf_signature(
        PdfFileReader(io.BytesIO(content)).embedded_signatures[-1],
        ValidationContext(
            trust_roots=[load_cert_from_pemder(pki["operator"].cert_file)], allow_fetching=False
        ),
        ts_validation_context=ValidationContext(
            trust_roots=[load_cert_from_pemder(pki["tsa_root"].cert_file)], allow_fetching=False
        ),
    )
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    # A JOSE library other than the one that signs, with the key its header names, looked up
    # exactly in the published key set and dereferenced at its own address.
    token = embedded_files(content)[f"Nachweis-{issued.number}.jwt"].decode()
    kid = jwt.get_unverified_header(token)["kid"]
    key_set = jwt.PyJWKSet.from_dict(client.get(reverse("certificates:ob_jwks")).json())
    dereferenced = client.get(kid.removeprefix("http://127.0.0.1:8000"))
    assert dereferenced["Content-Type"].startswith("application/jwk+json")
    assert dereferenced.json()["kid"] == kid and "keys" not in dereferenced.json()
    for key in (key_set[kid], jwt.PyJWK(dereferenced.json())):
        claims = jwt.decode(token, key=key, algorithms=["RS256"], issuer=openbadges.issuer_id())
        assert claims["id"] == issued.credential_id
    result, alert = verdict_section(client, content)
    assert result.verdict == Verdict.ORIGINAL
    assert "Die Datei ist ein unverändertes, gültiges Zertifikat." in alert
    assert "belegt durch den Zeitstempel eines vertrauenswürdigen Zeitstempeldienstes" in alert


def test_changed_padding_of_the_signature_is_a_sealed_copy_never_unchanged(client, issued, coordinator):
    content = issued.pdf.read()
    signature = PdfFileReader(io.BytesIO(content)).embedded_signatures[0]
    _start, _before, after, _length = signature.sig_object["/ByteRange"]
    changed = bytearray(content)
    assert changed[after - 2 : after - 1] == b"0"  # the last digit of the zero padding
    changed[after - 2] = ord("1")
    assert check_seal(bytes(changed)).valid  # the seal covers its byte range, not its padding
    result, alert = verdict_section(client, bytes(changed))
    assert result.verdict == Verdict.SEALED_COPY and not result.genuine
    assert result.certificate == issued
    assert "Siegel gültig, aber die Datei ist nicht die ausgestellte Fassung." in alert
    assert "unverändert" not in alert
    assert 'kern-alert--warning"' in alert
    services.revoke(certificate=issued, reason="Falsche Angaben", by=coordinator, at=base.NOW)
    result, alert = verdict_section(client, bytes(changed))
    assert result.verdict == Verdict.SEALED_COPY
    assert 'kern-alert--danger"' in alert and "Grund: Falsche Angaben" in alert


def test_an_untrusted_backdated_timestamp_proves_no_time(client, issued, pki):
    stranger = Authority(pki["folder"], "Fremder Zeitstempeldienst", key_type="rsa")
    forged = rewrite_signature(issued.pdf.read(), add_timestamp(stranger.timestamper(fixed_dt=BACKDATED)))
    seal = check_seal(forged)
    assert seal.valid and not seal.timestamped and seal.sealed_at is None
    assert "nicht von einem vertrauenswürdigen Zeitstempeldienst" in seal.time_note
    result, alert = verdict_section(client, forged)
    assert result.verdict == Verdict.SEALED_COPY
    assert "02.01.2023" not in alert and "11:00" not in alert
    assert "Der Zeitpunkt des Siegelns ist nicht nachgewiesen" in alert
    assert "unverändert" not in alert


def test_a_trusted_timestamp_over_something_else_proves_no_time(issued, pki):
    tsa = pki["tsa_root"].timestamper(fixed_dt=BACKDATED)
    forged = rewrite_signature(issued.pdf.read(), add_timestamp(tsa, imprint_of=b"ein anderes Dokument"))
    seal = check_seal(forged)
    assert not seal.timestamped and seal.sealed_at is None
    assert "passt nicht zum Siegel" in seal.time_note


def test_a_sealed_file_without_a_stored_original_is_not_called_unchanged(client, issued):
    content = issued.pdf.read()
    Certificate.objects.filter(pk=issued.pk).update(sha256="", translation_sha256="")
    result, alert = verdict_section(client, content)
    assert result.verdict == Verdict.SEALED_NO_ORIGINAL and result.certificate == issued
    assert "kein Original dieser Datei hinterlegt" in alert
    heading = (
        "Siegel gültig; ob die Datei unverändert ist, lässt sich ohne hinterlegtes Original nicht bestätigen."
    )
    assert heading in alert
    assert "unverändert" not in alert.replace(heading, "")
    Certificate.objects.filter(pk=issued.pk).update(credential_id="urn:uuid:anderswo")
    result, alert = verdict_section(client, content)
    assert result.verdict == Verdict.SEALED_NO_ORIGINAL and result.certificate is None


def test_the_sealed_certificate_stays_pdf_1_7(issued):
    with pikepdf.open(io.BytesIO(issued.pdf.read())) as document:
        assert document.pdf_version == "1.7"
        assert str(document.Root.get("/Version", "/1.7")) == "/1.7"
        assert "/ISO_" not in document.Root.get("/Extensions", {})


def test_a_failed_certificate_looked_up_says_it_could_not_be_issued_without_the_reason(
    client, cohort, coordinator
):
    enrollment = base.graduate(cohort, coordinator)
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        cohort=cohort,
        sequence=1,
        number="SCM-2022-3-0001",
        holder_name="Erika Muster",
        programme_title=cohort.programme.title,
        cohort_title=cohort.title,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=dt.date(2022, 12, 20),
        status=Certificate.Status.FAILED,
        render_error="Interner Grund: Schrift fehlt",
    )
    page = client.get(
        reverse("certificates:verify"),
        {"nummer": certificate.number, "code": certificate.verification_code},
    ).content.decode()
    assert "Dieses Zertifikat konnte nicht ausgestellt werden. Es ist nicht gültig." in page
    assert "wird gerade erstellt" not in page and "Schrift fehlt" not in page


def test_check_file_refuses_what_it_cannot_identify(issued):
    assert check_file(b"%PDF-1.7\n" + b"0" * 100).verdict == Verdict.REFUSED
    assert check_file(json.dumps({"id": issued.credential_id}).encode()).verdict == Verdict.REFUSED


def test_the_deploy_check_warns_when_timestamps_have_no_trust_roots(settings):
    from certificates.checks import timestamp_trust_roots

    settings.SEAL_TSA_URL = "https://tsa.example.org/"
    settings.SEAL_TSA_TRUST_ROOTS_FILE = ""
    assert [message.id for message in timestamp_trust_roots(None)] == ["certificates.W002"]
    settings.SEAL_TSA_TRUST_ROOTS_FILE = "/etc/tsa-roots.pem"
    assert timestamp_trust_roots(None) == []
