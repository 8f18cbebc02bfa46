"""The operator's electronic seal on a certificate PDF, and its check on the verification page.

``seal_pdf`` takes the PDF bytes the renderer returns and gives back the same document with a
PAdES baseline seal appended as an incremental update (B-B, or B-T when ``SEAL_TSA_URL`` names a
timestamp server): the PDF/A content stays byte for byte what was rendered, so it stays PDF/A.

``check_seal`` tells whether an uploaded PDF carries an intact seal that covers the whole file,
made by the operator's seal certificate (its subject, under the configured trust roots): one
changed byte, a later change to the file or a seal by anyone else is refused.
"""

import io
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _

from . import keys

logger = logging.getLogger(__name__)

FIELD_NAME = "Siegel"


@cache
def _signer(material: keys.SealMaterial):
    from pyhanko.sign import signers

    if material.pkcs12_file:
        signer = signers.SimpleSigner.load_pkcs12(
            material.pkcs12_file,
            ca_chain_files=material.chain_files or None,
            passphrase=material.pkcs12_password,
        )
    else:
        signer = signers.SimpleSigner.load(
            material.key_file, material.cert_file, ca_chain_files=material.chain_files or None
        )
    if signer is None:
        raise keys.KeysMissing("The seal's key or certificate could not be read.")
    return signer


def _load_certs(paths) -> list:
    from pyhanko.keys import load_certs_from_pemder

    return [cert for path in paths for cert in load_certs_from_pemder([path])]


def seal_certificate():
    """The seal's own certificate (asn1crypto), as the signer presents it."""
    return _signer(keys.seal_material()).signing_cert


def seal_pdf(pdf: bytes) -> bytes:
    """The PDF with the operator's seal appended (unchanged when sealing is switched off)."""
    if not keys.sealing_on():
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    timestamper = None
    if settings.SEAL_TSA_URL:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(settings.SEAL_TSA_URL, timeout=10)
    signer = _signer(keys.seal_material())
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Elektronisches Siegel des Zertifikats",
        location=settings.PORTAL_BASE_URL,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf(
        writer, bytes_reserved=None if timestamper else _reserved_bytes(signer)
    )
    return output.getvalue()


@cache
def _reserved_bytes(signer) -> int:
    """Room for the signature container without a timestamp (in hexadecimal digits, as the file
    holds it): the certificates it embeds, the signature and the signed attributes. pyHanko would
    otherwise find it out by signing twice."""
    certificates = {cert.dump() for cert in (signer.signing_cert, *signer.cert_registry)}
    return 2 * (sum(len(cert) for cert in certificates) + 4096)  # hexadecimal in the file


@dataclass(frozen=True)
class SealCheck:
    valid: bool
    message: str
    signer: str = ""
    organisation: str = ""
    sealed_at: datetime | None = None
    timestamped: bool = False


def _name_part(name, field: str) -> str:
    return str(name.native.get(field, "")) if name is not None else ""


def _trust_roots() -> list:
    material = keys.seal_material()
    roots = _load_certs(material.trust_root_files)
    return roots or [seal_certificate()]


def check_seal(pdf: bytes) -> SealCheck:
    """Is this PDF sealed by the operator, intact and unchanged since?"""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        seals = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError) as exc:
        logger.info("Unreadable PDF on the verification page: %s", exc)
        return SealCheck(False, _("Die Datei ist kein lesbares PDF."))
    if not seals:
        return SealCheck(False, _("Die Datei trägt kein elektronisches Siegel."))
    seal = seals[-1]
    context = ValidationContext(trust_roots=_trust_roots(), allow_fetching=False)
    try:
        status = validate_pdf_signature(seal, context)
    except Exception as exc:  # a damaged signature dictionary is a refusal, not a server error
        logger.info("Seal could not be validated: %s", exc)
        return SealCheck(False, _("Das Siegel der Datei ist beschädigt."))
    cert = status.signing_cert
    signer = _name_part(cert.subject, "common_name") if cert is not None else ""
    organisation = _name_part(cert.subject, "organization_name") if cert is not None else ""
    timestamp = status.timestamp_validity
    sealed_at = timestamp.timestamp if timestamp is not None else status.signer_reported_dt
    facts = {
        "signer": signer,
        "organisation": organisation,
        "sealed_at": sealed_at,
        "timestamped": timestamp is not None,
    }
    if not status.intact or not status.valid:
        return SealCheck(False, _("Die Datei wurde nach dem Siegeln verändert."), **facts)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SealCheck(False, _("Die Datei wurde nach dem Siegeln ergänzt oder verändert."), **facts)
    if not status.trusted or cert.subject != seal_certificate().subject:
        return SealCheck(
            False, _("Das Siegel stammt nicht von der ausstellenden Stelle dieses Portals."), **facts
        )
    return SealCheck(True, _("Das Siegel ist gültig; die Datei ist unverändert."), **facts)
