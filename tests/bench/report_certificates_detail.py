"""1. Certificates: the parts of their section of BENCHMARKS.md (see report_certificates)."""

from .common import median
from .report_format import md_table, met, ms
from .rounds import quartiles, speedup_cell, time_ratio_cell


def _timing(values: list[float]) -> str:
    q1, q2, q3 = quartiles(values)
    return f"{q2 * 1000:.1f} ms (IQR {q1 * 1000:.1f}–{q3 * 1000:.1f})"


def rendering_intro(certificates: dict) -> list[str]:
    render = certificates["render"]
    return [
        "## 1. Certificates",
        "",
        f"Certificates of one cohort (names with German, Sorbian and Polish letters, the real Brandenburg "
        f"municipalities). Each comparison runs baseline and portal in turn, round after round, on the "
        f"same certificate, {render.rounds} rounds after two discarded warm-up rounds; each round gives "
        "one ratio, and the tables give the median ratio with its interquartile range. A target is met "
        "only if the lower quartile of the speed-up meets it.",
        "",
        "- **Baseline (honest)**: plain WeasyPrint as a careful peer runs it in a long-running worker: "
        "the same certificate HTML the portal's template produces (the whole page in one document), the "
        "same shipped fonts through the same fontconfig, one `FontConfiguration` and the stylesheet "
        "parsed once for all documents, and per certificate `HTML(string=…).write_pdf(stylesheets=…, "
        'font_config=…, pdf_variant="pdf/a-3a", pdf_tags=True)`: the same PDF variant, tagging and '
        "compression as the portal's. Its HTML is prepared outside the timer.",
        "- **Baseline (old, a note)**: as before, the stylesheet inline with the shipped fonts swapped "
        "for the system's `sans-serif` and no font configuration kept: slower than the honest one "
        "because the system's fonts are larger and found anew for every document.",
        "- **Portal**: `certificates.render.render_certificate_pdf()`, the function the Celery task "
        "calls: coverage check, module query, template, QR code and a tagged PDF/A-3a and PDF/UA-1 "
        "file. What every certificate of the cohort shares (programme, cohort, modules, date, "
        "signatures) is rendered once per worker and kept as finished content, structure elements and "
        "glyphs; each certificate lays out and draws only its foreground (name, municipality, number, "
        "code), draws the QR code as a one-bit image tagged as a figure, and joins the kept layers to "
        "its page under fresh numbers, each font embedded once with the glyphs of all layers.",
        "",
        *CHOICE,
    ]


CHOICE = [
    "**Why a warm foreground, not glyphs drawn straight into the page.** The profile of the layered "
    "render showed most of the remaining time in WeasyPrint's fixed cost per document: parsing, the "
    "cascade (with the page's sixteen margin boxes and the user-agent stylesheet), box building and "
    "layout took about a third, writing the file another half, in which pydyf compressed every stream "
    "twice (once more for the file's ID). Drawing HarfBuzz-shaped glyphs straight into the kept page "
    "would have meant writing the fonts' subsets, widths, ToUnicode maps, structure tree, PDF/A "
    "metadata and colour profile ourselves, and proving each against the validators. Keeping the "
    "foreground warm removes the layout with WeasyPrint still writing the file: the laid-out foreground "
    "of the previous certificate is reused, its lines' text replaced, where Pango lays the new text out "
    "to the same height and baseline and it fits its zone (else it is laid out as before), so the file "
    "is byte for byte the one a fresh layout gives (`tests/certificates/test_warm_foreground.py`). "
    "Writing compresses each distinct stream once per worker, and the layers' content is a stream of "
    "its own, the same for the cohort.",
    "",
]


def rendering_table(certificates: dict, target: float) -> list[str]:
    render, old = certificates["render"], certificates["render_old"]
    cold = certificates["first_of_cohort"]
    lines = [
        *md_table(
            ["", "Baseline", "Portal", "Ratio (median, IQR)", "Target"],
            [
                [
                    "render, honest baseline",
                    _timing(render.baseline),
                    _timing(render.portal),
                    speedup_cell(render),
                    f"≥ {target:.0f}×: {met(render.at_least_faster(target))}",
                ],
                [
                    "render, old baseline (note)",
                    _timing(old.baseline),
                    _timing(old.portal),
                    speedup_cell(old),
                    "",
                ],
                [
                    "mean file size (10 certificates)",
                    f"{certificates['bytes']['baseline'] / 1024:.1f} KiB",
                    f"{certificates['bytes']['portal'] / 1024:.1f} KiB",
                    "",
                    "",
                ],
                [
                    f"first certificate of a cohort (kept layers rendered too), median of {len(cold)}",
                    ms(render.baseline_median()),
                    ms(median(cold)),
                    f"{render.baseline_median() / median(cold):.2f}× faster",
                    "",
                ],
            ],
        ),
        "",
        f"Same content: the text extracted from both PDFs (white space aside) is identical for "
        f"{certificates['same_text']} sampled certificates. Same look: `tests/certificates/test_render.py` "
        "rasterises the portal's PDF and the whole page rendered as one document with the shipped fonts "
        "and requires the same picture, pixel for pixel, and reads the QR code back from it.",
        "",
    ]
    q1 = render.speedup()[0]
    if q1 < target:
        lines += [
            f"Target missed: ≥ {target:.0f}× faster at the lower quartile, measured {q1:.2f}×. The portal "
            f"would have to render a certificate in {ms(render.baseline_median() / target)} instead of "
            f"{ms(render.portal_median())}.",
            "",
        ]
    return lines


def finished_section(certificates: dict, target: float, floor_multiple: float) -> list[str]:
    finished, seal, floor = certificates["finished"], certificates["seal"], certificates["floor"]
    parts = certificates["floor_parts"]
    return [
        "### The finished certificate, its seal and its floor",
        "",
        "**Finished certificate**: rendered, its Open Badges credential built and signed, embedded as "
        "associated files and sealed (PAdES B-B, the development test seal, RSA 3072). Baseline: the "
        "honest baseline above plus the same steps done plainly: the same credential, embedded with "
        "pikepdf's attachments API, sealed with pyHanko's documented call (`PdfSigner(…).sign_pdf` on "
        "an `IncrementalPdfFileWriter`) with a `SimpleSigner` loaded once. **Seal alone**: pyHanko's "
        "documented call against `certificates.seal.seal_pdf` on the same embedded PDFs. **Floor**: "
        "what no way of making a certificate avoids, measured in the same rounds as the portal: writing "
        "the finished file, and hashing it plus one signature with the seal's key.",
        "",
        *md_table(
            ["", "Baseline", "Portal", "Ratio (median, IQR)", "Target"],
            [
                [
                    "finished certificate",
                    _timing(finished.baseline),
                    _timing(finished.portal),
                    speedup_cell(finished),
                    f"≥ {target:.0f}×: {met(finished.at_least_faster(target))}",
                ],
                ["PAdES seal alone", _timing(seal.baseline), _timing(seal.portal), speedup_cell(seal), ""],
                [
                    "finished certificate against its floor",
                    _timing(floor.baseline) + " (floor)",
                    _timing(floor.portal),
                    time_ratio_cell(floor).replace("of the time", "× the floor"),
                    f"≤ {floor_multiple:.0f}× the floor: {met(floor.at_most_time(floor_multiple))}",
                ],
            ],
        ),
        "",
        f"The floor's parts: writing the finished file {_timing(parts['write'])}, hashing it plus one "
        f"signature {_timing(parts['hash_sign'])}.",
        "",
        "What the seal cost before: pyHanko's `SimpleSigner` loads the private key from its DER bytes "
        "for every signature, and loading an RSA key checks it, which costs many times the signature "
        "itself; and it builds the whole CMS container with asn1crypto for every seal, which costs more "
        "than hashing the file. The portal's signer (`certificates.signer`) keeps the key loaded per "
        "process and, for an RSA seal without timestamp, keeps the first container as a template in "
        "which only the message digest and the signature change (each signature checked against the "
        "certificate's key before use). What is left of the seal is pyHanko reading the file for its "
        "incremental update, adding the tagged signature field and writing the update.",
        "",
    ]


OUTSIDE = "outside WeasyPrint's steps (query, QR code, template or new lines)"


def profile(certificates: dict, subsetting: str) -> list[str]:
    """Where a certificate's render spends its time, each way."""
    phases = certificates["phases"]
    return [
        "### Where a render's time goes",
        "",
        "Median time of each step over 20 further renders of one certificate each way, taking turns, "
        "each step timed by wrapping WeasyPrint's own functions (medians of the steps need not add up "
        "to the median total):",
        "",
        *md_table(
            ["step", "Baseline (honest)", "Portal"],
            [
                [name, f"{value:.1f} ms", f"{phases['portal'][name]:.1f} ms"]
                for name, value in phases["baseline"].items()
            ],
        ),
        "",
        f"WeasyPrint subsets fonts with {'HarfBuzz' if 'HarfBuzz' in subsetting else 'fontTools'} here. "
        "The baseline lays out and draws the whole page for every certificate; the portal draws the "
        "foreground's few lines and, where it reuses the warm foreground, lays out nothing. Outside "
        f"WeasyPrint's steps the portal spends {phases['portal'][OUTSIDE]:.1f} ms on the module query, "
        "the QR code, and the template or the new lines' measuring.",
        "",
    ]
