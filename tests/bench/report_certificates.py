"""1. Certificates in the report: their rows of the summary table and their section of
BENCHMARKS.md. Every ratio is the median of interleaved rounds with its interquartile range; a
target counts as met only at the unfavourable quartile (``rounds``)."""

from .common import median, percentile
from .report_certificates_detail import finished_section, profile, rendering_intro, rendering_table
from .report_format import met, ms
from .rounds import Comparison, quartiles, speedup_cell, time_ratio_cell

RENDER_SPEEDUP = 5.0
FINISHED_SPEEDUP = 4.0
FLOOR_MULTIPLE = 3.0

PROOF_STEPS = (
    ("credential", "Open Badges credential: built, schema-checked, signed"),
    ("embed", "credential embedded as associated file"),
    ("seal", "PAdES seal"),
)


def timing(values: list[float]) -> str:
    """'12.3 ms (IQR 11.9–13.0)'"""
    q1, q2, q3 = quartiles(values)
    return f"{q2 * 1000:.1f} ms (IQR {q1 * 1000:.1f}–{q3 * 1000:.1f})"


def _speedup_row(figure: str, comparison: Comparison, target: float | None) -> tuple[str, ...]:
    return (
        "Certificates",
        figure,
        timing(comparison.baseline),
        timing(comparison.portal),
        speedup_cell(comparison),
        f"≥ {target:.0f}× faster" if target else "(note)",
        met(comparison.at_least_faster(target)) if target else "",
    )


def summary_rows(certificates: dict) -> list[tuple[str, ...]]:
    """(section, figure, baseline, portal, ratio, target, verdict)"""
    out = [
        _speedup_row("render per certificate, honest baseline", certificates["render"], RENDER_SPEEDUP),
        _speedup_row(
            "render per certificate, old baseline (system sans-serif)", certificates["render_old"], None
        ),
    ]
    if certificates.get("finished"):
        floor = certificates["floor"]
        out += [
            _speedup_row(
                "finished certificate (render, credential, embedding, seal)",
                certificates["finished"],
                FINISHED_SPEEDUP,
            ),
            _speedup_row(
                "PAdES seal alone: pyHanko's documented call vs. the portal's", certificates["seal"], None
            ),
            (
                "Certificates",
                "finished certificate as a multiple of its floor (write the file, hash it, one signature)",
                timing(floor.baseline),
                timing(floor.portal),
                time_ratio_cell(floor).replace("of the time", "× the floor"),
                f"≤ {FLOOR_MULTIPLE:.0f}× the floor",
                met(floor.at_most_time(FLOOR_MULTIPLE)),
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
    lines = [*rendering_intro(certificates), *rendering_table(certificates, RENDER_SPEEDUP)]
    if certificates.get("finished"):
        lines += finished_section(certificates, FINISHED_SPEEDUP, FLOOR_MULTIPLE)
    if certificates.get("proof"):
        lines += _proof_section(certificates["proof"])
    lines += profile(certificates, subsetting)
    return lines


def _proof_section(proof: dict) -> list[str]:
    from .report_format import md_table

    return [
        "### What each proof step costs",
        "",
        f"For each of the {len(proof['seal'])} certificates, after its rendering, each step timed on its "
        "own: the Open Badges 3.0 credential (built, validated against 1EdTech's JSON schema, signed "
        "as VC-JWT with RS256), embedding it into the PDF/A-3 as associated files (pikepdf), and the "
        "PAdES B-B seal (incremental update). Checking a seal as the verification page does, for 10 of them.",
        "",
        *md_table(
            ["step", "median", "p95"],
            [
                [label, ms(median(proof[key])), ms(percentile(proof[key], 95))]
                for key, label in (*PROOF_STEPS, ("check", "checking a seal (verification page)"))
            ],
        ),
        "",
    ]
