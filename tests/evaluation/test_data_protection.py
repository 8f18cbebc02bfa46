"""The participant's rights over their answers (hooks of portal.privacy.registry)."""

import datetime as dt

import pytest

from evaluation import privacy
from evaluation.models import Answer, WaveResponse

pytestmark = pytest.mark.django_db
pytest.importorskip("portal.privacy.registry")


def test_a_person_gets_their_answers_in_the_archive_of_their_data(programme):
    export, waves = privacy.export(programme.people["P1"])
    assert (export.name, waves.name) == ("fragebogen", "befragungen")
    assert [
        (a["module"], a["instrument"], a["answers"]["relevanz"], a["answers"].get("anmerkungen"))
        for a in export.data
    ] == [
        ("Digitale Transformation", "modul-feedback", 5, "Sehr hilfreich für unsere Strategie."),
        ("IT-Sicherheit", "modul-feedback", 4, None),
    ]
    assert privacy.export(programme.people["R2"])[0].data == []


def test_erasure_deletes_the_answers_of_the_person_only(programme):
    privacy.erase(programme.people["P1"], at=programme.now)
    assert not WaveResponse.objects.filter(enrollment__user=programme.people["P1"]).exists()
    assert not Answer.objects.filter(response__enrollment__user=programme.people["P1"]).exists()
    assert WaveResponse.objects.filter(module__isnull=False).count() == 3


def test_restriction_deletes_the_answers_at_once(programme):
    """Erasure may have to wait for other records; the answers need not."""
    privacy.restrict(programme.people["P1"], at=programme.now)
    assert not WaveResponse.objects.filter(enrollment__user=programme.people["P1"]).exists()
    assert WaveResponse.objects.filter(module__isnull=False).count() == 3


def test_answers_go_when_the_retention_period_of_their_cohort_has_ended(programme, settings):
    settings.PORTAL_RETENTION_MONTHS = 3
    end_of_a = programme.cohort_a.end_date  # 76 days ago: within three months
    assert privacy.retention(at=programme.now) == {
        "questionnaire_answers_deleted": 0,
        "wave_answers_deleted": 0,
    }
    later = dt.datetime.combine(end_of_a + dt.timedelta(days=93), dt.time(12), tzinfo=programme.now.tzinfo)
    assert privacy.retention(at=later) == {"questionnaire_answers_deleted": 5, "wave_answers_deleted": 0}
    assert not WaveResponse.objects.exists()
    assert not Answer.objects.exists()
