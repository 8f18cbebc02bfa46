"""A certificate PDF that carries its own proof: post-processing of the renderer's bytes.

``prove_pdf`` takes the PDF/A-3 bytes the renderer returns and gives back the document with the
Open Badges credential embedded as PDF/A-3 associated files (``/AF`` with ``/AFRelationship
/Alternative``: the same certificate in machine-readable form, as JSON and as signed JWT), then
sealed by the operator (see ``seal``). It does not know how the page was laid out.
"""

import datetime as dt
import io
import json

from . import seal


def _pdf_date(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")


def embed_credential(pdf: bytes, *, number: str, credential: dict, token: str, at: dt.datetime) -> bytes:
    """The PDF with the credential as associated files of the document (PDF/A-3, ISO 19005-3)."""
    import pikepdf

    stamp = _pdf_date(at)
    files = (
        (
            f"Nachweis-{number}.jwt",
            token.encode(),
            "application/jwt",
            "Open Badges 3.0 credential (VC-JWT, signed) / Digitaler Nachweis, signiert",
        ),
        (
            f"Nachweis-{number}.json",
            json.dumps(credential, ensure_ascii=False, indent=2).encode(),
            "application/json",
            "Open Badges 3.0 credential (JSON) / Digitaler Nachweis (JSON)",
        ),
    )
    with pikepdf.open(io.BytesIO(pdf)) as document:
        associated = document.Root.get("/AF", pikepdf.Array())
        for filename, data, mime_type, description in files:
            spec = pikepdf.AttachedFileSpec(
                document,
                data,
                description=description,
                filename=filename,
                mime_type=mime_type,
                creation_date=stamp,
                mod_date=stamp,
                relationship=pikepdf.Name.Alternative,
            )
            document.attachments[filename] = spec
            associated.append(spec.obj)
        document.Root.AF = associated
        out = io.BytesIO()
        # Uncompressed: text that ends in "}" or a base64 character, never in an end-of-line byte
        # that a validator could take for the one before "endstream".
        document.save(out, deterministic_id=True, compress_streams=False)
    return out.getvalue()


def embedded_files(pdf: bytes) -> dict[str, bytes]:
    """The associated files of a PDF, by name."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return {name: spec.get_file().read_bytes() for name, spec in document.attachments.items()}


def prove_pdf(pdf: bytes, *, number: str, credential: dict | None, token: str, at: dt.datetime) -> bytes:
    """Embed the credential (when there is one) and seal."""
    if token:
        pdf = embed_credential(pdf, number=number, credential=credential, token=token, at=at)
    return seal.seal_pdf(pdf)
