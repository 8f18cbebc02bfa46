"""Interleaved rounds: the one method every section of the benchmark compares by.

A comparison runs the baseline and the portal alternately, round after round, on the same input,
after warm-up rounds that are discarded. Each round gives one ratio (baseline time / portal time),
so a slow minute of the machine hits both sides of the same round. The report gives the median
ratio with its interquartile range, and a target counts as met only if the quartile on the
unfavourable side meets it: the lower quartile for "at least N× faster", the upper quartile for
"at most N× the time".
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MIN_ROUNDS = 20


def quartiles(values) -> tuple[float, float, float]:
    """Lower quartile, median and upper quartile (inclusive method, as numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0], ordered[0], ordered[0]
    q1, q2, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return q1, q2, q3


@dataclass
class Comparison:
    """Per-round times of both sides, in seconds, in the order they were measured."""

    baseline: list[float] = field(default_factory=list)
    portal: list[float] = field(default_factory=list)

    @property
    def rounds(self) -> int:
        return len(self.portal)

    @property
    def speedups(self) -> list[float]:
        """Per round: how many times faster the portal was (baseline / portal)."""
        return [base / own for base, own in zip(self.baseline, self.portal, strict=True)]

    @property
    def time_ratios(self) -> list[float]:
        """Per round: the portal's time as a share of the baseline's (portal / baseline)."""
        return [own / base for base, own in zip(self.baseline, self.portal, strict=True)]

    def speedup(self) -> tuple[float, float, float]:
        return quartiles(self.speedups)

    def time_ratio(self) -> tuple[float, float, float]:
        return quartiles(self.time_ratios)

    def at_least_faster(self, target: float) -> bool:
        """Met only if the lower quartile of the speed-up reaches the target."""
        return self.speedup()[0] >= target

    def at_most_time(self, target: float) -> bool:
        """Met only if the upper quartile of the time ratio stays within the target."""
        return self.time_ratio()[2] <= target

    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    def portal_median(self) -> float:
        return statistics.median(self.portal)


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def interleave(
    baseline: Callable[[], object],
    portal: Callable[[], object],
    *,
    rounds: int = MIN_ROUNDS,
    warmups: int = 2,
) -> Comparison:
    """Alternate both sides for ``warmups`` discarded and ``rounds`` kept rounds.

    The side that goes first alternates too, so neither always meets a warm or a cold cache.
    """
    if rounds < MIN_ROUNDS:
        raise ValueError(f"a comparison needs at least {MIN_ROUNDS} rounds, not {rounds}")
    comparison = Comparison()
    for number in range(warmups + rounds):
        if number % 2 == 0:
            base, own = timed(baseline), timed(portal)
        else:
            own, base = timed(portal), timed(baseline)
        if number >= warmups:
            comparison.baseline.append(base)
            comparison.portal.append(own)
    return comparison


def speedup_cell(comparison: Comparison) -> str:
    """'4.81× faster (IQR 4.52–5.07×, 20 rounds)'"""
    q1, q2, q3 = comparison.speedup()
    return f"{q2:.2f}× faster (IQR {q1:.2f}–{q3:.2f}×, {comparison.rounds} rounds)"


def time_ratio_cell(comparison: Comparison) -> str:
    """'0.28 of the time (IQR 0.26–0.29, 20 rounds)'"""
    q1, q2, q3 = comparison.time_ratio()
    return f"{q2:.2f} of the time (IQR {q1:.2f}–{q3:.2f}, {comparison.rounds} rounds)"
