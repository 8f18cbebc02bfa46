"""The benchmark's comparison method: interleaved rounds, quartiles, verdicts on the safe side."""

import pytest

from tests.bench.rounds import Comparison, interleave, quartiles, speedup_cell, time_ratio_cell


def test_quartiles_are_inclusive_and_ordered():
    assert quartiles([1, 2, 3, 4, 5]) == (2, 3, 4)
    assert quartiles([7.0]) == (7.0, 7.0, 7.0)


def test_interleave_alternates_who_goes_first_and_discards_warmups():
    calls = []
    comparison = interleave(lambda: calls.append("b"), lambda: calls.append("p"), rounds=20, warmups=2)
    assert comparison.rounds == 20 and len(comparison.baseline) == 20
    assert calls[:4] == ["b", "p", "p", "b"]
    assert len(calls) == 44


def test_too_few_rounds_are_refused():
    with pytest.raises(ValueError):
        interleave(lambda: None, lambda: None, rounds=5)


def test_verdicts_use_the_unfavourable_quartile():
    # Speed-ups 3, 4, 5, 6, 7: median 5, lower quartile 4.
    comparison = Comparison(baseline=[3.0, 4.0, 5.0, 6.0, 7.0], portal=[1.0] * 5)
    assert comparison.speedup() == (4.0, 5.0, 6.0)
    assert comparison.at_least_faster(4.0)
    assert not comparison.at_least_faster(5.0)  # the median meets it, the lower quartile does not
    # Time ratios 0.2, 0.25, 0.3, 0.35, 0.4: upper quartile 0.35.
    comparison = Comparison(baseline=[1.0] * 5, portal=[0.2, 0.25, 0.3, 0.35, 0.4])
    assert comparison.at_most_time(0.35)
    assert not comparison.at_most_time(0.30)
    assert time_ratio_cell(comparison) == "0.30 of the time (IQR 0.25–0.35, 5 rounds)"


def test_speedup_cell_names_spread_and_rounds():
    comparison = Comparison(baseline=[3.0, 4.0, 5.0, 6.0, 7.0], portal=[1.0] * 5)
    assert speedup_cell(comparison) == "5.00× faster (IQR 4.00–6.00×, 5 rounds)"
