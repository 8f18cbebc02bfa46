import pytest

from portal.models import Municipality
from portal.municipalities import load_municipalities

pytestmark = pytest.mark.django_db


def test_official_list_is_loaded_with_amter_and_verbandsgemeinde():
    assert Municipality.objects.exclude(ags="").count() == 413
    assert Municipality.objects.filter(kind=Municipality.Kind.AMT).count() == 50
    assert Municipality.objects.filter(kind=Municipality.Kind.VERBANDSGEMEINDE).count() == 1
    assert Municipality.objects.filter(kind=Municipality.Kind.STADT).count() == 113
    assert Municipality.objects.filter(administration__kind=Municipality.Kind.AMT).count() == 266


def test_twin_names_are_told_apart_by_district():
    golzow = sorted(str(m) for m in Municipality.objects.filter(name="Golzow"))
    assert golzow == ["Golzow (Märkisch-Oderland)", "Golzow (Potsdam-Mittelmark)"]
    assert Municipality.objects.filter(name="Mittenwalde").count() == 2


def test_membership_of_amt_and_mitverwaltung():
    assert Municipality.objects.get(name="Gusow-Platkow").administration.name == "Amt Seelow-Land"
    assert Municipality.objects.get(name="Pinnow").administration.name == "Schwedt/Oder"
    liebenwerda = Municipality.objects.get(kind=Municipality.Kind.VERBANDSGEMEINDE)
    assert liebenwerda.members.count() == 4


def test_loading_twice_changes_nothing():
    before = Municipality.objects.count()
    assert load_municipalities(Municipality) == 413
    assert Municipality.objects.count() == before
