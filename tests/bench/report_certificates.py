"""1. Certificate rendering in the report: its rows of the summary table and its section of
BENCHMARKS.md."""

from .common import median, percentile
from .report_format import md_table, met, ms, s

CERTIFICATE_SPEEDUP = 4.0

PROOF_STEPS = (
    ("credential", "Open Badges credential: built, schema-checked, signed"),
    ("embed", "credential embedded as associated file"),
    ("seal", "PAdES seal"),
)


def summary_rows(certificates: dict) -> list[tuple[str, ...]]:
    """(section, figure, baseline, portal, ratio, target, verdict)"""
    base, portal = certificates["baseline"], certificates["portal"]
    speedup = median(base) / median(portal)
    out = [
        (
            "Certificates",
            "per certificate, median",
            ms(median(base)),
            ms(median(portal)),
            f"{speedup:.2f}× faster",
            f"≥ {CERTIFICATE_SPEEDUP:.0f}× faster",
            met(speedup >= CERTIFICATE_SPEEDUP),
        ),
        (
            "Certificates",
            "per certificate, p95",
            ms(percentile(base, 95)),
            ms(percentile(portal, 95)),
            f"{percentile(base, 95) / percentile(portal, 95):.2f}× faster",
            "",
            "",
        ),
        (
            "Certificates",
            f"{len(base)} certificates one after another, one process",
            s(sum(base)),
            s(sum(portal)),
            f"{sum(base) / sum(portal):.2f}× faster",
            "",
            "",
        ),
    ]
    if certificates.get("proof"):
        out += _proof_rows(certificates["proof"])
    return out


def _proof_rows(proof: dict) -> list[tuple[str, ...]]:
    return [
        (
            "Certificates",
            f"own proof per certificate, median ({label})",
            "",
            ms(median(proof[key])),
            "",
            "",
            "",
        )
        for key, label in PROOF_STEPS
    ]


def section(certificates: dict, subsetting: str) -> list[str]:
    lines = [*_rendering_intro(certificates), *_rendering_table(certificates)]
    if certificates.get("proof"):
        lines += _proof_section(certificates["proof"])
    lines += _profile(certificates, subsetting)
    return lines


def _rendering_intro(certificates: dict) -> list[str]:
    base = certificates["baseline"]
    return [
        "## 1. Certificate rendering",
        "",
        f"{len(base)} certificates of one cohort (names with German, Sorbian and Polish letters, the real "
        "Brandenburg municipalities), each rendered both ways in turn, after three warm-up renders of each:",
        "",
        "- **Baseline**: plain WeasyPrint writing the same tagged output, "
        '`HTML(string=…).write_pdf(pdf_variant="pdf/a-3a")` (PDF/A-3 level a: structure tree, marked '
        "content, language), on the same certificate HTML the portal's template produces (the whole "
        "page in one document), with the stylesheet inline and the shipped fonts replaced by the "
        "system's `sans-serif`. Its HTML is prepared outside the timer.",
        "- **Portal**: `certificates.render.render_certificate_pdf()`, the function the Celery task "
        "calls: coverage check, module query, template, QR code, WeasyPrint, and a tagged PDF/A-3a and "
        "PDF/UA-1 file. The certificate has two layers: the background, which every certificate of the "
        "cohort shares (programme, cohort, modules, date, signatures), is rendered once per worker and "
        "kept as its finished content, structure elements and glyphs; each certificate lays out and "
        "draws only its foreground (name, municipality, number, code), draws the QR code as a one-bit "
        "image tagged as a figure, and joins the kept background's content and structure to its own "
        "page under fresh numbers, each font embedded once with the glyphs of all layers. The first "
        "certificate of a cohort renders the background too (last row).",
        "",
    ]


def _rendering_table(certificates: dict) -> list[str]:
    base, portal = certificates["baseline"], certificates["portal"]
    cold = certificates["first_of_cohort"]
    speedup = median(base) / median(portal)
    return [
        *md_table(
            ["", "Baseline", "Portal", "Ratio"],
            [
                ["median", ms(median(base)), ms(median(portal)), f"{speedup:.2f}× faster"],
                [
                    "p95",
                    ms(percentile(base, 95)),
                    ms(percentile(portal, 95)),
                    f"{percentile(base, 95) / percentile(portal, 95):.2f}× faster",
                ],
                [
                    f"total wall time, {len(base)} in a row",
                    s(sum(base)),
                    s(sum(portal)),
                    f"{sum(base) / sum(portal):.2f}× faster",
                ],
                [
                    "mean file size",
                    f"{certificates['bytes']['baseline'] / 1024:.1f} KiB",
                    f"{certificates['bytes']['portal'] / 1024:.1f} KiB",
                    "",
                ],
                [
                    f"first certificate of a cohort, median of {len(cold)}",
                    ms(median(base)),
                    ms(median(cold)),
                    f"{median(base) / median(cold):.2f}× faster",
                ],
            ],
        ),
        "",
        f"Same content: the text extracted from both PDFs (white space aside, as the fonts break lines "
        f"differently) is identical for {certificates['same_text']} sampled certificates. Same look: "
        "`tests/certificates/test_render.py` rasterises the portal's PDF and the whole page rendered as "
        "one document with the shipped fonts and requires the same picture, pixel for pixel, and reads "
        "the QR code back from it.",
        "",
    ]


def _proof_section(proof: dict) -> list[str]:
    return [
        "### What the certificate's own proof costs",
        "",
        f"For each of the {len(proof['seal'])} certificates, after its rendering: the Open Badges 3.0 "
        "credential (built, validated against 1EdTech's JSON schema, signed as VC-JWT with RS256), "
        "embedding it into the PDF/A-3 as associated files (pikepdf), and the PAdES B-B seal "
        "(pyHanko, incremental update, development test seal with an EC P-256 key). Checking a seal "
        "as the verification page does, for 10 of them.",
        "",
        *md_table(
            ["step", "median", "p95"],
            [
                [label, ms(median(proof[key])), ms(percentile(proof[key], 95))]
                for key, label in (*PROOF_STEPS, ("check", "checking a seal (verification page)"))
            ],
        ),
        "",
        "The cohort through the real worker below includes these steps: every certificate it issues "
        "is credentialled and sealed.",
        "",
    ]


def _profile(certificates: dict, subsetting: str) -> list[str]:
    """Where a certificate's time goes, and the target's verdict."""
    base, portal = certificates["baseline"], certificates["portal"]
    speedup = median(base) / median(portal)
    phases = certificates["phases"]
    lines = [
        "### Where a certificate's time goes",
        "",
        "Median time of each step over 20 further renders of one certificate each way, taking turns, "
        "each step timed by wrapping WeasyPrint's own functions (medians of the steps need not add up "
        "to the median total):",
        "",
        *md_table(
            ["step", "Baseline", "Portal"],
            [
                [name, f"{value:.1f} ms", f"{phases['portal'][name]:.1f} ms"]
                for name, value in phases["baseline"].items()
            ],
        ),
        "",
        *_phase_reading(phases, subsetting),
        "",
    ]
    if speedup < CERTIFICATE_SPEEDUP:
        needed = median(base) / CERTIFICATE_SPEEDUP
        lines += [
            f"Target missed: {CERTIFICATE_SPEEDUP:.0f}× faster than the baseline, this run measured "
            f"{speedup:.2f}×. The portal would have to render a certificate in {ms(needed)} instead of "
            f"{ms(median(portal))} ({median(portal) / needed:.1f}× less time).",
            "",
        ]
    return lines


OUTSIDE = "outside WeasyPrint (template, QR code, query)"


def _phase_reading(phases: dict, subsetting: str) -> list[str]:
    base, portal = phases["baseline"], phases["portal"]
    steps = [name for name in portal if name not in {"total", OUTSIDE}]
    saved = sorted(steps, key=lambda name: base[name] - portal[name], reverse=True)
    heavy = sorted(steps, key=lambda name: portal[name], reverse=True)[:3]
    if "HarfBuzz" in subsetting:
        fonts = (
            "Font subsetting is not a large cost on this machine: WeasyPrint subsets with HarfBuzz here "
            "(libharfbuzz-subset0, installed by the Makefile and the Dockerfile); without it WeasyPrint "
            "falls back to fontTools, which costs several times more in both columns."
        )
    else:
        fonts = (
            "WeasyPrint subsets fonts with fontTools on this machine (no libharfbuzz-subset0), which "
            'is slow for any font; installing libharfbuzz-subset0 removes most of the step "fonts".'
        )
    return [
        "What the profile shows: the portal saves most in "
        + ", ".join(f"{name} ({base[name] - portal[name]:.1f} ms less)" for name in saved[:3])
        + ": the baseline lays out and draws the whole page for every certificate, the portal only the "
        "foreground's few lines, and it loads its fonts and parses its stylesheet once per worker. "
        f"{fonts} What the portal still pays per certificate is, inside WeasyPrint, "
        + ", ".join(f"{name} ({portal[name]:.1f} ms)" for name in heavy)
        + ": the fixed cost of any WeasyPrint document (the page and its sixteen margin boxes, the "
        "user-agent stylesheet, the PDF/A metadata and compression) more than the foreground's text. "
        f"Outside WeasyPrint the module query, the templates and the QR code take {portal[OUTSIDE]:.1f} ms."
    ]
