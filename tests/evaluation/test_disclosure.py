"""The disclosure rules on their own: small counts, pseudonyms, weeks and regional suppression."""

import datetime as dt
import hashlib
import hmac
import random
from collections import Counter

import pytest

from cohorts.models import BERLIN
from evaluation.disclosure import (
    SUPPRESSED,
    Count,
    Mean,
    Median,
    Share,
    iso_week,
    protect_regions,
    pseudonym,
)


@pytest.mark.parametrize(("value", "shown"), [(0, "0"), (1, "< 3"), (2, "< 3"), (3, "3"), (17, "17")])
def test_counts_of_one_and_two_are_shown_as_less_than_three(value, shown):
    assert str(Count(value)) == shown
    assert Count(value).suppressed is (shown == "< 3")


def test_a_share_shows_no_percentage_of_a_suppressed_count():
    assert Share(Count(4), Count(5)).percent == 80
    assert Share(Count(7), Count(8)).percent == 88
    assert Share(Count(2), Count(5)).percent is None
    assert Share(Count(0), Count(5)).percent == 0
    assert Share(Count(0), Count(0)).percent is None


def test_medians_and_means_need_three_values():
    assert Median((5, 9)).value is None
    assert str(Median((5, 9)).count) == "< 3"
    assert Median((7, 5, 9)).value == 7
    assert Median((3, 4, 5, 9)).value == 4.5
    assert Mean(average=4.5, count=2).value is None
    assert Mean(average=4.5, count=3).value == 4.5


def test_the_pseudonym_is_a_keyed_hash_of_the_person(settings):
    settings.EVALUATION_PSEUDONYM_KEY = "ein-geheimer-schluessel"
    expected = hmac.new(b"ein-geheimer-schluessel", b"person:42", hashlib.sha256).hexdigest()[:16]
    assert pseudonym(42) == expected
    assert pseudonym(42) == pseudonym(42)
    assert pseudonym(43) != pseudonym(42)
    # Without the key nobody can compute it from the id.
    assert pseudonym(42) != hashlib.sha256(b"person:42").hexdigest()[:16]
    assert pseudonym(42, key="ein-anderer-schluessel") != pseudonym(42)


def test_the_default_key_is_derived_from_the_secret_key_and_not_equal_to_it(settings):
    assert settings.EVALUATION_PSEUDONYM_KEY
    assert settings.EVALUATION_PSEUDONYM_KEY != settings.SECRET_KEY


@pytest.mark.parametrize(
    ("instant", "week"),
    [
        (dt.datetime(2022, 10, 4, 23, 59, tzinfo=BERLIN), "2022-W40"),
        (dt.datetime(2021, 1, 3, 12, tzinfo=BERLIN), "2020-W53"),
        (dt.datetime(2024, 12, 30, 9, tzinfo=BERLIN), "2025-W01"),
        # Sunday 23:30 in UTC is already Monday in Berlin: the week of Berlin counts.
        (dt.datetime(2022, 1, 2, 23, 30, tzinfo=dt.UTC), "2022-W01"),
        (None, ""),
    ],
)
def test_dates_become_iso_weeks_in_berlin(instant, week):
    assert iso_week(instant) == week


def rows(*people):
    return [{"c": cohort, "d": district, "k": kind} for cohort, district, kind in people]


def test_regions_shared_by_three_stay_and_rarer_ones_are_suppressed():
    data = rows(
        (1, "Barnim", "stadt"),
        (1, "Barnim", "stadt"),
        (1, "Barnim", "stadt"),
        (1, "Barnim", "gemeinde"),
        (1, "Uckermark", "gemeinde"),
        (1, "Prignitz", "gemeinde"),
        (1, "Potsdam", "stadt"),
        (1, "Cottbus", "stadt"),
        (1, "Barnim", "amt"),
        (1, "Uckermark", "amt"),
    )
    protect_regions(data, cohort="c", district="d", kind="k")
    assert [(r["d"], r["k"]) for r in data] == [
        ("Barnim", "stadt"),
        ("Barnim", "stadt"),
        ("Barnim", "stadt"),
        (SUPPRESSED, "gemeinde"),
        (SUPPRESSED, "gemeinde"),
        (SUPPRESSED, "gemeinde"),
        (SUPPRESSED, SUPPRESSED),
        (SUPPRESSED, SUPPRESSED),
        (SUPPRESSED, SUPPRESSED),
        (SUPPRESSED, SUPPRESSED),
    ]


def test_a_lone_hidden_row_takes_the_smallest_group_with_it():
    data = rows(
        (2, "Barnim", "stadt"),
        (2, "Barnim", "stadt"),
        (2, "Barnim", "stadt"),
        (2, "Barnim", "stadt"),
        (2, "Havelland", "gemeinde"),
        (2, "Havelland", "gemeinde"),
        (2, "Havelland", "gemeinde"),
        (2, "Prignitz", "amt"),
    )
    protect_regions(data, cohort="c", district="d", kind="k")
    shown = Counter((r["d"], r["k"]) for r in data)
    assert shown == {("Barnim", "stadt"): 4, (SUPPRESSED, SUPPRESSED): 4}


def test_cohorts_are_protected_separately():
    data = rows(*[(1, "Barnim", "stadt")] * 3, (2, "Barnim", "stadt"))
    protect_regions(data, cohort="c", district="d", kind="k")
    assert [(r["d"], r["k"]) for r in data] == [("Barnim", "stadt")] * 3 + [(SUPPRESSED, SUPPRESSED)]


@pytest.mark.parametrize("seed", range(40))
def test_nobody_can_be_singled_out_by_cohort_district_and_kind(seed):
    """For every person, at least three rows are consistent with what one may know about them."""
    chance = random.Random(seed)
    districts = ["Barnim", "Uckermark", "Potsdam", "Prignitz", "Havelland"]
    kinds = ["stadt", "gemeinde", "amt"]
    truth = rows(
        *[
            (chance.randint(1, 3), chance.choice(districts), chance.choice(kinds))
            for _ in range(chance.randint(9, 60))
        ]
    )
    released = [dict(r) for r in truth]
    protect_regions(released, cohort="c", district="d", kind="k")
    per_cohort = Counter(r["c"] for r in truth)
    for person in truth:
        if per_cohort[person["c"]] < 3:
            continue
        consistent = [
            r
            for r in released
            if r["c"] == person["c"]
            and r["d"] in (person["d"], SUPPRESSED)
            and r["k"] in (person["k"], SUPPRESSED)
        ]
        assert len(consistent) >= 3, (person, released)
    for original, shown in zip(truth, released, strict=True):
        assert shown["d"] in (original["d"], SUPPRESSED)
        assert shown["k"] in (original["k"], SUPPRESSED)
