"""1. Certificates, compared in interleaved rounds (``rounds.interleave``): the portal's render
against the honest baseline (and, as a note, the old one), the finished certificate against the
honest baseline plus the same proof steps done plainly, the seal against pyHanko's documented
call, and the finished certificate against its floor (writing the file, hashing it and one
signature)."""

import hashlib
import io
import itertools
import json
import os
import tempfile
import time

from django.utils import timezone

from .rounds import interleave

RENDER_ROUNDS = 30
PROOF_ROUNDS = 20


class HonestWeasyPrint:
    """Plain WeasyPrint as a careful peer runs it in a long-running worker: the same HTML, the
    shipped fonts through the same fontconfig (only the fonts the stylesheet declares), one
    ``FontConfiguration`` and the stylesheet parsed once for all documents, and each document
    written by ``HTML(string=…).write_pdf()`` as PDF/A-3a with tags, compressed as the portal's."""

    def __init__(self):
        from weasyprint.text.fonts import FontConfiguration

        from portal.pdf import ASSET_DIR
        from portal.pdf.fonts import shipped_fonts_only

        self.asset_dir = ASSET_DIR
        self.base_url = ASSET_DIR.as_uri() + "/"
        self.font_config = shipped_fonts_only(FontConfiguration)
        self.stylesheets = {}

    def prepare(self, portal_html: str) -> tuple[str, list]:
        """The document without its stylesheet link, and the parsed stylesheet (parsed once)."""
        import weasyprint

        from portal.pdf import STYLESHEET_LINK

        sheets = []
        for name in STYLESHEET_LINK.findall(portal_html):
            if name not in self.stylesheets:
                self.stylesheets[name] = weasyprint.CSS(
                    filename=str(self.asset_dir / name), font_config=self.font_config
                )
            sheets.append(self.stylesheets[name])
        return STYLESHEET_LINK.sub("", portal_html), sheets

    def render(self, prepared: tuple[str, list]) -> bytes:
        import weasyprint

        html, sheets = prepared
        return weasyprint.HTML(string=html, base_url=self.base_url).write_pdf(
            stylesheets=sheets, font_config=self.font_config, pdf_variant="pdf/a-3a", pdf_tags=True
        )


class PlainProof:
    """The proof steps as pyHanko and pikepdf document them: the credential embedded with
    pikepdf's attachments API, the seal by ``PdfSigner(…).sign_pdf`` with a ``SimpleSigner``
    loaded once."""

    def __init__(self):
        from pyhanko.sign import signers

        from certificates import keys

        material = keys.seal_material()
        self.signer = signers.SimpleSigner.load(
            material.key_file, material.cert_file, ca_chain_files=material.chain_files or None
        )

    def embed(self, pdf: bytes, files: dict[str, bytes]) -> bytes:
        import pikepdf

        with pikepdf.open(io.BytesIO(pdf)) as document:
            for name, data in files.items():
                document.attachments[name] = pikepdf.AttachedFileSpec(document, data, filename=name)
            out = io.BytesIO()
            document.save(out)
        return out.getvalue()

    def seal(self, pdf: bytes) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        metadata = signers.PdfSignatureMetadata(
            field_name="Siegel", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        return signers.PdfSigner(metadata, signer=self.signer).sign_pdf(writer).getvalue()


def _credential(certificate, at):
    from certificates import openbadges

    credential = openbadges.build_credential(certificate, email=f"{certificate.number}@bench.example.org")
    return credential, openbadges.sign_credential(credential, at=at)


def _cycle(certificates):
    """Each side of a comparison takes the certificates in the same order, one per round."""
    return itertools.cycle(certificates).__next__


def render_comparisons(certificates, honest: HonestWeasyPrint) -> dict:
    """The portal's render against the honest baseline, and against the old one (a note)."""
    from certificates.render import certificate_html, render_certificate_pdf

    from .certificates import baseline_html, plain_weasyprint

    honest_pages = {c.number: honest.prepare(certificate_html(c)) for c in certificates}
    old_pages = {c.number: baseline_html(certificate_html(c)) for c in certificates}
    base, own = _cycle(certificates), _cycle(certificates)
    render = interleave(
        lambda: honest.render(honest_pages[base().number]),
        lambda: render_certificate_pdf(own()),
        rounds=RENDER_ROUNDS,
    )
    base, own = _cycle(certificates), _cycle(certificates)
    old = interleave(
        lambda: plain_weasyprint(old_pages[base().number]),
        lambda: render_certificate_pdf(own()),
        rounds=RENDER_ROUNDS,
    )
    return {"render": render, "render_old": old}


def finished_comparisons(certificates, honest: HonestWeasyPrint) -> dict:
    """The finished certificate (render, credential, embedding, seal) both ways; the seal alone
    both ways; and the portal's finished certificate against its floor."""
    from certificates import proof
    from certificates.render import certificate_html, render_certificate_pdf

    for certificate in certificates:
        certificate.pk = certificate.sequence  # the status list index; the row is not saved
    at = timezone.now()
    plain = PlainProof()
    honest_pages = {c.number: honest.prepare(certificate_html(c)) for c in certificates}

    def baseline_finished(certificate):
        pdf = honest.render(honest_pages[certificate.number])
        credential, token = _credential(certificate, at)
        files = {
            f"{certificate.number}.jwt": token.encode(),
            f"{certificate.number}.json": json.dumps(credential).encode(),
        }
        return plain.seal(plain.embed(pdf, files))

    def portal_finished(certificate):
        pdf, _digest = render_certificate_pdf(certificate)
        credential, token = _credential(certificate, at)
        return proof.prove_pdf(pdf, number=certificate.number, credential=credential, token=token, at=at)

    base, own = _cycle(certificates), _cycle(certificates)
    finished = interleave(
        lambda: baseline_finished(base()), lambda: portal_finished(own()), rounds=PROOF_ROUNDS
    )

    seal_rounds = _seal_comparison(certificates[:5], plain, at)
    against_floor, floor_parts = _floor_comparison(certificates, portal_finished)
    for certificate in certificates:
        certificate.pk = None
    return {"finished": finished, "seal": seal_rounds, "floor": against_floor, "floor_parts": floor_parts}


def _seal_comparison(certificates, plain: PlainProof, at):
    """pyHanko's documented call against the portal's seal, on the same embedded PDFs."""
    from certificates import proof, seal
    from certificates.render import render_certificate_pdf

    embedded = []
    for certificate in certificates:
        pdf, _digest = render_certificate_pdf(certificate)
        credential, token = _credential(certificate, at)
        embedded.append(
            proof.embed_credential(pdf, number=certificate.number, credential=credential, token=token, at=at)
        )
    base, own = _cycle(embedded), _cycle(embedded)
    return interleave(lambda: plain.seal(base()), lambda: seal.seal_pdf(own()), rounds=PROOF_ROUNDS)


def _floor_comparison(certificates, portal_finished):
    """The floor of a finished certificate, in the same rounds as the portal's: writing the
    finished file, and hashing it plus one signature with the seal's key (loaded)."""
    from certificates import keys, seal

    key = seal._signer(keys.seal_material())
    parts = {"write": [], "hash_sign": []}
    finished_files = [portal_finished(certificate) for certificate in certificates[:5]]
    path = os.path.join(tempfile.mkdtemp(prefix="portal-bench-floor-"), "certificate.pdf")

    def floor(content):
        started = time.perf_counter()
        with open(path, "wb") as file:
            file.write(content)
        written = time.perf_counter()
        key.sign_raw(hashlib.sha256(content).digest(), "sha256")
        parts["write"].append(written - started)
        parts["hash_sign"].append(time.perf_counter() - written)

    base, own = _cycle(finished_files), _cycle(certificates)
    comparison = interleave(lambda: floor(base()), lambda: portal_finished(own()), rounds=PROOF_ROUNDS)
    warmups = 2  # interleave's discarded rounds
    return comparison, {name: times[warmups:] for name, times in parts.items()}
