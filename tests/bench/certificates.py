"""1. Certificate rendering: plain WeasyPrint against the portal's render path (cohorts through
the Celery workers: ``certificates_workers``)."""

import datetime as dt
import io
import re
import time
from collections import defaultdict
from pathlib import Path

from django.utils import timezone

from .common import BenchError, median, percentile
from .data import graduate, make_users, next_cohort_number, past_cohort, programme_and_modules, staff_user

COHORT_SIZE = 100
PROFILE_ROUNDS = 20
COLD_ROUNDS = 10
PROOF_SAMPLE = 20  # certificates the finished comparisons take turns with


def baseline_html(portal_html: str) -> str:
    """The same certificate HTML as plain WeasyPrint would get it: the stylesheet inline, the
    shipped @font-face fonts replaced by the system's sans-serif."""
    from portal.pdf import ASSET_DIR, STYLESHEET_LINK

    def inline(match):
        css = (ASSET_DIR / match.group(1)).read_text()
        families = set(re.findall(r'@font-face\s*{[^}]*font-family:\s*("[^"]+")', css))
        css = re.sub(r"@font-face\s*{[^}]*}", "", css)
        for family in families:
            css = css.replace(family, "sans-serif")
        return f"<style>{css}</style>"

    return STYLESHEET_LINK.sub(inline, portal_html)


def plain_weasyprint(html: str) -> bytes:
    """Plain WeasyPrint writing the same tagged output as the portal (PDF/A-3a: structure tree,
    marked content, language, Unicode for every glyph)."""
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-3a")


def _certificates(cohort, enrollments):
    """The certificates as the portal issues them (not saved: rendering needs no row)."""
    from certificates.models import Certificate

    return [
        Certificate(
            enrollment=enrollment,
            cohort=cohort,
            sequence=index,
            number=f"SCM-{cohort.end_date.year}-{cohort.number}-{index:04d}",
            language="de",
            holder_name=enrollment.user.get_full_name(),
            municipality_name=enrollment.municipality.name if enrollment.municipality_id else "",
            programme_title=cohort.programme.title,
            cohort_title=cohort.title,
            cohort_title_en=cohort.title_en,
            cohort_start=cohort.start_date,
            cohort_end=cohort.end_date,
            issued_on=dt.date(2022, 12, 16),
        )
        for index, enrollment in enumerate(enrollments, start=1)
    ]


def _text(pdf: bytes) -> str:
    """The PDF's text without white space: fonts of other widths break lines elsewhere."""
    from pypdf import PdfReader

    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _phases(renders: dict, rounds: int) -> dict[str, dict[str, float]]:
    """Where a render spends its time, in ms: WeasyPrint's steps timed by wrapping its own
    functions, the renders taking turns as in the timed loop; the median of each step."""
    import weasyprint
    import weasyprint.document as document_module
    import weasyprint.pdf as pdf_module

    samples = {name: [] for name in renders}
    current = defaultdict(float)
    originals = []

    def wrap(owner, name, label):
        original = vars(owner)[name]  # the raw attribute (a classmethod stays a classmethod)
        bound = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return (
                    bound(*args, **kwargs) if isinstance(original, classmethod) else original(*args, **kwargs)
                )
            finally:
                current[label] += time.perf_counter() - started

        setattr(owner, name, timed)

    wrap(weasyprint.HTML, "__init__", "parse")
    wrap(document_module, "get_all_computed_styles", "cascade")
    wrap(document_module, "build_formatting_structure", "boxes")
    wrap(document_module.Document, "_render", "render")
    wrap(document_module.Page, "paint", "paint")
    wrap(pdf_module, "build_fonts_dictionary", "fonts")
    wrap(document_module.Document, "write_pdf", "write")
    try:
        for _ in range(rounds):
            for name, render in renders.items():
                current.clear()
                started = time.perf_counter()
                render()
                step = defaultdict(float, {key: value * 1000 for key, value in current.items()})
                step["total"] = (time.perf_counter() - started) * 1000
                samples[name].append(_phase_sample(step))
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    return {
        name: {key: median([sample[key] for sample in rows]) for key in rows[0]}
        for name, rows in samples.items()
    }


def _phase_sample(step: dict[str, float]) -> dict[str, float]:
    """The steps of one render, in ms, from the times of the wrapped functions (which nest)."""
    return {
        "HTML parsing": step["parse"],
        "stylesheets and cascade": step["cascade"],
        "box tree": step["boxes"],
        "layout": step["render"] - step["cascade"] - step["boxes"],
        "drawing": step["paint"],
        "fonts (subsetting, embedding)": step["fonts"],
        "rest of the PDF (PDF/A, compression)": step["write"] - step["paint"] - step["fonts"],
        "outside WeasyPrint's steps (query, QR code, template or new lines)": step["total"]
        - step["parse"]
        - step["render"]
        - step["write"],
        "total": step["total"],
    }


def per_certificate(certificates) -> dict:
    """Each certificate rendered against the honest baseline and the old one, in interleaved
    rounds; the text of both compared; where the time goes."""
    from certificates.render import certificate_html, render_certificate_pdf

    from .certificate_compare import HonestWeasyPrint, render_comparisons

    honest = HonestWeasyPrint()
    result = render_comparisons(certificates, honest)
    same_text, sizes = 0, {"baseline": 0, "portal": 0}
    for certificate in certificates[:10]:
        portal_pdf, _digest = render_certificate_pdf(certificate)
        baseline_pdf = honest.render(honest.prepare(certificate_html(certificate)))
        sizes["baseline"] += len(baseline_pdf)
        sizes["portal"] += len(portal_pdf)
        portal_text = _text(portal_pdf)
        if (
            "".join(certificate.holder_name.split()) not in portal_text
            or certificate.number not in portal_text
        ):
            raise BenchError(f"certificate {certificate.number} lacks its holder or number")
        same_text += portal_text == _text(baseline_pdf)
    sample = certificates[0]
    sample_html = honest.prepare(certificate_html(sample))
    result.update(
        {
            "first_of_cohort": first_of_cohort(certificates[:COLD_ROUNDS]),
            "bytes": {key: value / 10 for key, value in sizes.items()},
            "same_text": f"{same_text} of 10",
            "phases": _phases(
                {
                    "baseline": lambda: honest.render(sample_html),
                    "portal": lambda: render_certificate_pdf(sample),
                },
                PROFILE_ROUNDS,
            ),
        }
    )
    return result


def proof_costs(certificates) -> dict[str, list[float]]:
    """What a certificate's own proof adds to its rendering, per certificate: the Open Badges
    credential (built, checked against 1EdTech's schema, signed), embedding it into the PDF as
    associated file, and the PAdES seal; and checking a seal as the verification page does."""
    from certificates import openbadges, proof, seal
    from certificates.render import render_certificate_pdf

    costs = {"credential": [], "embed": [], "seal": [], "check": []}
    at = timezone.now()
    for certificate in certificates:
        certificate.pk = certificate.sequence  # the status list index; the row is not saved
        pdf, _digest = render_certificate_pdf(certificate)
        started = time.perf_counter()
        credential = openbadges.build_credential(certificate, email=f"{certificate.number}@bench.example.org")
        token = openbadges.sign_credential(credential, at=at)
        costs["credential"].append(time.perf_counter() - started)
        started = time.perf_counter()
        pdf = proof.embed_credential(
            pdf, number=certificate.number, credential=credential, token=token, at=at
        )
        costs["embed"].append(time.perf_counter() - started)
        started = time.perf_counter()
        pdf = seal.seal_pdf(pdf)
        costs["seal"].append(time.perf_counter() - started)
        if len(costs["check"]) < 10:
            started = time.perf_counter()
            if not seal.check_seal(pdf).valid:
                raise BenchError(f"certificate {certificate.number}: its seal does not verify")
            costs["check"].append(time.perf_counter() - started)
        certificate.pk = None
    return costs


def first_of_cohort(certificates) -> list[float]:
    """The first certificate of a cohort in a worker: the shared background is rendered as well."""
    from certificates.render import render_certificate_pdf
    from portal.pdf import forget_layers

    times = []
    for certificate in certificates:
        forget_layers()
        started = time.perf_counter()
        render_certificate_pdf(certificate)
        times.append(time.perf_counter() - started)
    return times


def run(log_dir: Path) -> dict:
    from .certificate_compare import HonestWeasyPrint, finished_comparisons

    programme, modules = programme_and_modules()
    coordinator = staff_user("koordination@bench.example.org", "coordinators")
    number = next_cohort_number(programme)
    cohort = past_cohort(programme, modules, number=number, seats=COHORT_SIZE)
    cohort.coordinators.add(coordinator)
    enrollments = graduate([(cohort, make_users(COHORT_SIZE, tag="graduate"))], recorded_by=coordinator)
    for enrollment in enrollments:
        enrollment.cohort = cohort
    certificates = _certificates(cohort, enrollments)
    result = per_certificate(certificates)
    result["proof"] = proof_costs(certificates)
    result.update(finished_comparisons(certificates[:PROOF_SAMPLE], HonestWeasyPrint()))
    render = result["render"]
    result["summary"] = {
        "baseline_median": render.baseline_median(),
        "baseline_p95": percentile(render.baseline, 95),
        "portal_median": render.portal_median(),
        "portal_p95": percentile(render.portal, 95),
    }
    return result
