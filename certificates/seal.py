"""The operator's electronic seal on a certificate PDF, and its check on the verification page.

``seal_pdf`` takes the PDF bytes the renderer returns and gives back the same document with a
PAdES baseline seal appended as an incremental update (B-B, or B-T when ``SEAL_TSA_URL`` names a
timestamp server): the PDF/A content stays byte for byte what was rendered, so it stays PDF/A.

``check_seal`` tells whether an uploaded PDF carries an intact seal that covers the whole file,
made by the operator's seal certificate (its subject, under the configured trust roots): one
changed byte, a later change to the file or a seal by anyone else is refused. A seal says nothing
about the bytes outside its signed range (the padding of ``/Contents``, unsigned attributes of
the signature): whether a file is the issued original is the fingerprint's question
(``selectors.check_file``). The time of sealing counts as proven only by a signature timestamp
from a timestamp authority under ``SEAL_TSA_TRUST_ROOTS_FILE`` whose imprint matches the
signature; any other time is reported as unproven.

A sealed certificate stays a PDF 1.7-based PDF/A-3: pyHanko would raise the document to PDF 2.0
and declare ISO/TS 32002 for an ECDSA seal; the writer here keeps version 1.7 (ECDSA signatures
in CAdES are part of PAdES on PDF 1.7 all the same). The development test seal is RSA.
"""

import asyncio
import io
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _

from . import keys

logger = logging.getLogger(__name__)

FIELD_NAME = "Siegel"
PDF_VERSION = (1, 7)  # PDF/A-3 and PDF/UA-1 are based on ISO 32000-1


def signer_for(material: keys.SealMaterial):
    """A signer for the seal ``material`` that keeps its private key loaded and its signature
    container as a template (``signer``): make it once per process (``_signer`` does) and use it
    for every seal."""
    from .signer import kept_key_signer_class

    loaded = _load_signer(material)
    return kept_key_signer_class()(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
        signature_mechanism=loaded.signature_mechanism,
    )


@cache
def _signer(material: keys.SealMaterial):
    return signer_for(material)


def _load_signer(material: keys.SealMaterial):
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


def _outside_event_loop(function, *args):
    """pyHanko's synchronous API runs its own event loop, which cannot start in a thread that
    already runs one (an ASGI server, a test driving a browser): there it runs in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def seal_pdf(pdf: bytes) -> bytes:
    """The PDF with the operator's seal appended (unchanged when sealing is switched off)."""
    if not keys.sealing_on():
        return pdf
    return _outside_event_loop(_seal, pdf)


def _seal(pdf: bytes) -> bytes:
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
    sealed = b""
    for padding in SEAL_PADDINGS:
        sealed = _sign_once(pdf + padding, signer, timestamper, metadata)
        if not ambiguous_stream_end(sealed[len(pdf) + len(padding) :]):
            break
    return sealed


# A compressed stream of the appended update (pyHanko's cross-reference stream) whose last byte
# is a carriage return reads, before its end-of-line marker, as if that CR belonged to the marker:
# a PDF/A validator then finds its /Length one byte off (ISO 19005-2, 6.1.7.1). The update's
# bytes follow from the offsets before it, so the seal is made again after one or two more blank
# lines between the file and its update (whitespace, which every reader skips).
SEAL_PADDINGS = (b"", b"\n", b"\n\n")
# pyHanko writes a stream's data followed by LF and "endstream" (and no stream of its own ends in
# a CR), so CR LF before "endstream" means data whose last byte is a CR.
_CR_BEFORE_ENDSTREAM = re.compile(rb"\r\nendstream")


def ambiguous_stream_end(update: bytes) -> bool:
    return _CR_BEFORE_ENDSTREAM.search(update) is not None


def _sign_once(pdf: bytes, signer, timestamper, metadata) -> bytes:
    from pyhanko.sign import fields, signers

    writer = _KeepMetadata(io.BytesIO(pdf), strict=False)
    if not _has_seal_field(writer):  # the certificate renderer draws it, tagged; other PDFs get it here
        fields.append_signature_field(writer, fields.SigFieldSpec(FIELD_NAME, on_page=0))
        _tag_seal_field(writer)
    output = signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf(
        writer, existing_fields_only=True, bytes_reserved=None if timestamper else _reserved_bytes(signer)
    )
    return output.getvalue()


def _keep_metadata_writer():
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class KeepMetadata(IncrementalPdfFileWriter):
        """An incremental update that leaves the rendered document information and XMP metadata
        as they are: pyHanko would rewrite the XMP and lose its PDF/A extension schema (PDF/UA
        identification), and nothing the metadata describes changes with a seal."""

        def _update_meta(self):
            pass

        def ensure_output_version(self, version):
            super().ensure_output_version(min(version, PDF_VERSION))

        def register_extension(self, ext):
            if tuple(int(part) for part in str(ext.base_version).lstrip("/").split(".")) > PDF_VERSION:
                return  # an extension of PDF 2.0 (ISO/TS 32002) does not belong in PDF/A-3
            super().register_extension(ext)

    return KeepMetadata


def _KeepMetadata(*args, **kwargs):
    return _keep_metadata_writer()(*args, **kwargs)


def _has_seal_field(writer) -> bool:
    form = writer.root.get("/AcroForm")
    return form is not None and any(
        ref.get_object().get("/T") == FIELD_NAME for ref in form.get("/Fields", ())
    )


def _tag_seal_field(writer) -> None:
    """PDF/UA: the seal's (invisible) widget gets a description and a Form element in the
    structure tree, as every annotation of a tagged certificate must."""
    from pyhanko.pdf_utils import generic

    root = writer.root
    field_ref = next(ref for ref in root["/AcroForm"]["/Fields"] if ref.get_object().get("/T") == FIELD_NAME)
    field = field_ref.get_object()
    field["/TU"] = generic.TextStringObject("Elektronisches Siegel der ausstellenden Stelle")
    writer.mark_update(field_ref)
    if "/StructTreeRoot" not in root:
        return  # an untagged document has no structure to extend
    struct_root_ref = root.raw_get("/StructTreeRoot")
    struct_root = struct_root_ref.get_object()
    document_ref = (
        struct_root["/K"].raw_get(0)
        if isinstance(struct_root["/K"], generic.ArrayObject)
        else (struct_root.raw_get("/K"))
    )
    document = document_ref.get_object()
    parent_tree = struct_root["/ParentTree"]
    numbers = parent_tree["/Nums"]
    used = [int(numbers[index]) for index in range(0, len(numbers), 2)]
    key = int(struct_root.get("/ParentTreeNextKey", max(used, default=-1) + 1))
    page_ref = writer.find_page_for_modification(0)[0]
    form = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/StructElem"),
                generic.pdf_name("/S"): generic.pdf_name("/Form"),
                generic.pdf_name("/P"): document_ref,
                generic.pdf_name("/Pg"): page_ref,
                generic.pdf_name("/Alt"): generic.TextStringObject(
                    "Elektronisches Siegel der ausstellenden Stelle"
                ),
                generic.pdf_name("/K"): generic.DictionaryObject(
                    {
                        generic.pdf_name("/Type"): generic.pdf_name("/OBJR"),
                        generic.pdf_name("/Obj"): field_ref,
                        generic.pdf_name("/Pg"): page_ref,
                    }
                ),
            }
        )
    )
    field["/StructParent"] = generic.NumberObject(key)
    numbers.extend([generic.NumberObject(key), form])
    struct_root["/ParentTreeNextKey"] = generic.NumberObject(key + 1)
    kids = document.get("/K")
    if isinstance(kids, generic.ArrayObject):
        kids.append(form)
    else:
        document["/K"] = generic.ArrayObject([kids, form] if kids is not None else [form])
    writer.mark_update(document_ref)
    writer.mark_update(struct_root_ref)
    parent_tree_ref = struct_root.raw_get("/ParentTree")
    if isinstance(parent_tree_ref, generic.IndirectObject):
        writer.mark_update(parent_tree_ref)


@cache
def _reserved_bytes(signer) -> int:
    """Room for the signature container without a timestamp (in hexadecimal digits, as the file
    holds it): the certificates it embeds, the signature and the signed attributes. pyHanko would
    otherwise find it out by signing twice."""
    certificates = {cert.dump() for cert in (signer.signing_cert, *signer.cert_registry)}
    return 2 * (sum(len(cert) for cert in certificates) + 4096)  # hexadecimal in the file


@dataclass(frozen=True)
class SealCheck:
    """What the seal of an uploaded PDF says. ``sealed_at`` is a proven time only: the time of a
    trusted signature timestamp (``timestamped``); without one it is None and ``time_note``
    says why the time of sealing is unproven."""

    valid: bool
    message: str
    signer: str = ""
    organisation: str = ""
    sealed_at: datetime | None = None
    timestamped: bool = False
    time_note: str = ""


def _name_part(name, field: str) -> str:
    return str(name.native.get(field, "")) if name is not None else ""


def _trust_roots() -> list:
    material = keys.seal_material()
    roots = _load_certs(material.trust_root_files)
    return roots or [seal_certificate()]


def tsa_trust_roots() -> list:
    """The roots a signature timestamp must chain to (none configured: no timestamp counts)."""
    path = settings.SEAL_TSA_TRUST_ROOTS_FILE
    return _load_certs([path]) if path else []


def check_seal(pdf: bytes) -> SealCheck:
    """Is this PDF sealed by the operator, intact and unchanged since?"""
    return _outside_event_loop(_check, pdf)


def _unreadable(exc: BaseException | None = None) -> SealCheck:
    if exc is not None:
        logger.info("Unreadable PDF on the verification page: %s", type(exc).__name__)
    return SealCheck(False, _("Die Datei ist kein lesbares PDF."))


def _within_bounds(pdf: bytes) -> bool:
    """The cheap checks before pyHanko parses (see ``bounds``): nesting, then the form field and
    page trees as qpdf reads them."""
    import pikepdf

    from . import bounds

    if not bounds.pdf_nesting_within(pdf):
        return False
    try:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            return bounds.pdf_structure_within(document)
    except Exception:  # noqa: BLE001 - whatever qpdf cannot read, pyHanko is not given
        return False


def _time_of(status) -> tuple[datetime | None, str]:
    """The proven time of sealing, or None with the reason it is unproven."""
    timestamp = status.timestamp_validity
    if timestamp is None:
        return None, _(
            "Der Zeitpunkt des Siegelns ist nicht nachgewiesen: Die Datei trägt keinen Zeitstempel."
        )
    if not (timestamp.intact and timestamp.valid and timestamp.trusted):
        return None, _(
            "Der Zeitpunkt des Siegelns ist nicht nachgewiesen: Der Zeitstempel der Datei stammt "
            "nicht von einem vertrauenswürdigen Zeitstempeldienst oder passt nicht zum Siegel."
        )
    return timestamp.timestamp, ""


def _check(pdf: bytes) -> SealCheck:
    if not _within_bounds(pdf):
        return _unreadable()
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        seals = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - a file the parser chokes on is no certificate
        return _unreadable(exc)
    if not seals:
        return SealCheck(False, _("Die Datei trägt kein elektronisches Siegel."))
    seal = seals[-1]
    context = ValidationContext(trust_roots=_trust_roots(), allow_fetching=False)
    tsa_context = ValidationContext(trust_roots=tsa_trust_roots(), allow_fetching=False)
    try:
        status = validate_pdf_signature(seal, context, ts_validation_context=tsa_context)
    except Exception as exc:  # noqa: BLE001 - a damaged signature dictionary is a refusal
        logger.info("Seal could not be validated: %s", type(exc).__name__)
        return SealCheck(False, _("Das Siegel der Datei ist beschädigt."))
    cert = status.signing_cert
    sealed_at, time_note = _time_of(status)
    facts = {
        "signer": _name_part(cert.subject, "common_name") if cert is not None else "",
        "organisation": _name_part(cert.subject, "organization_name") if cert is not None else "",
        "sealed_at": sealed_at,
        "timestamped": sealed_at is not None,
        "time_note": time_note,
    }
    if not status.intact or not status.valid:
        return SealCheck(False, _("Die Datei wurde nach dem Siegeln verändert."), **facts)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SealCheck(False, _("Die Datei wurde nach dem Siegeln ergänzt oder verändert."), **facts)
    if not status.trusted or cert.subject != seal_certificate().subject:
        return SealCheck(
            False, _("Das Siegel stammt nicht von der ausstellenden Stelle dieses Portals."), **facts
        )
    return SealCheck(True, _("Das Siegel ist gültig: Es stammt von der ausstellenden Stelle."), **facts)
