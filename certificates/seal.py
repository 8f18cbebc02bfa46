"""The operator's electronic seal on a certificate PDF, and its check on the verification page.

``seal_pdf`` takes the PDF bytes the renderer returns and gives back the same document with a
PAdES baseline seal appended as an incremental update (B-B, or B-T when ``SEAL_TSA_URL`` names a
timestamp server): the PDF/A content stays byte for byte what was rendered, so it stays PDF/A.

``check_seal`` tells whether an uploaded PDF carries an intact seal that covers the whole file,
made by the operator's seal certificate (its subject, under the configured trust roots): one
changed byte, a later change to the file or a seal by anyone else is refused.
"""

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
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
    writer = _KeepMetadata(io.BytesIO(pdf), strict=False)
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

    return KeepMetadata


def _KeepMetadata(*args, **kwargs):
    return _keep_metadata_writer()(*args, **kwargs)


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
    return _outside_event_loop(_check, pdf)


def _check(pdf: bytes) -> SealCheck:
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
