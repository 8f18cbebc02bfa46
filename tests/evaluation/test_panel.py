"""The evaluators' side of the waves: the pre/post comparison computed by hand, the suppression
of small counts, and the export with its codebook and manifest."""

import csv
import hashlib
import io
import json

import pytest

from evaluation import instruments, panel
from evaluation.disclosure import pseudonym
from evaluation.models import Instrument, Item
from evaluation.panel_export import read_zip
from tests.evaluation.data import group_member
from tests.evaluation.waves_world import KINDS, NOW, answer, build, competencies, invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(time_machine):
    """Four people: T0 2, 2, 3, 1 on every competency; T1 4, 3, 5 (the fourth did not answer T1);
    one T2 answer (5), too few to show."""
    time_machine.move_to(NOW, tick=False)
    world = build(people=4)
    for enrollment, before, after in zip(world.enrollments, [2, 2, 3, 1], [4, 3, 5, None], strict=True):
        answer(invite(world, KINDS.T0, enrollment, opened_days_ago=3), competencies(before))
        if after is not None:
            answer(
                invite(world, KINDS.T1, enrollment), {**competencies(after), "transferplan": "=HYPERLINK(1)"}
            )
    answer(invite(world, KINDS.T2, world.enrollments[0]), {**competencies(5), "projekte": "2"})
    return world


def test_pre_post_means_and_paired_changes(answered):
    (first, *_rest) = panel.trends()
    assert first.key == "kompetenz_1"
    assert first.mean(KINDS.T0).value == pytest.approx(2.0)  # (2 + 2 + 3 + 1) / 4
    assert first.mean(KINDS.T1).value == pytest.approx(4.0)  # (4 + 3 + 5) / 3
    assert first.mean(KINDS.T2).value is None  # one answer: not shown
    change = first.changes[KINDS.T1]
    assert change.pairs.value == 3 and change.value == pytest.approx(5 / 3)  # (2 + 1 + 2) / 3
    assert str(first.changes[KINDS.T2].pairs) == "< 3" and first.changes[KINDS.T2].value is None


def test_response_rates_per_wave_and_cohort(answered):
    rates = {row.wave: row for row in panel.response_rates()}
    assert (rates["t0"].invited.value, rates["t0"].answered.percent) == (4, 100)
    assert (rates["t1"].invited.value, rates["t1"].answered.percent) == (3, 100)
    assert str(rates["t2"].invited) == "< 3"


def test_the_dashboard_shows_the_chart_with_its_table(client, answered):
    client.force_login(group_member("evaluators"))
    body = client.get("/auswertung/wellen/").content.decode()
    assert 'class="trend-chart"' in body and "trend-table-caption" in body
    assert "+1.7" in body or "+1,7" in body
    for person in answered.enrollments:
        assert person.user.email not in body and person.user.last_name not in body


def test_the_whole_programme_is_a_snapshot_refreshed_by_beat_and_a_cohort_is_live(client, answered):
    from evaluation.tasks import refresh_statistics

    client.force_login(group_member("evaluators"))
    first = client.get("/auswertung/wellen/").content.decode()
    assert 'id="computed-at"' in first and "Stand der Zahlen:" in first
    t1 = {row.wave: row for row in panel.programme_panel()[0]}["t1"]
    assert t1.invited.value == 3
    late = answered.enrollments[3]
    answer(invite(answered, KINDS.T1, late), competencies(1))
    # The snapshot keeps the figures it was computed with; a cohort's view reads them live.
    assert {row.wave: row for row in panel.programme_panel()[0]}["t1"].invited.value == 3
    live = client.get(f"/auswertung/wellen/?durchgang={late.cohort_id}").content.decode()
    assert 'id="computed-at"' not in live
    assert {row.wave: row for row in panel.response_rates(cohort_id=late.cohort_id)}["t1"].invited.value == 4
    refresh_statistics()
    assert {row.wave: row for row in panel.programme_panel()[0]}["t1"].invited.value == 4


@pytest.mark.parametrize("role, status", [(None, 403), ("coordinators", 200), ("evaluators", 200)])
def test_who_sees_the_waves(client, answered, role, status):
    user = group_member(role) if role else answered.enrollments[0].user
    client.force_login(user)
    assert client.get("/auswertung/wellen/").status_code == status


@pytest.mark.parametrize("role", [None, "coordinators", "reviewers"])
def test_only_evaluators_download_the_export(client, answered, role):
    client.force_login(group_member(role) if role else answered.enrollments[0].user)
    assert client.get("/auswertung/wellen/export.zip").status_code == 403


def test_the_export_links_waves_by_pseudonym_and_names_its_versions(client, answered):
    client.force_login(group_member("evaluators"))
    response = client.get("/auswertung/wellen/export.zip")
    files = {
        name: data.decode("utf-8-sig")
        for name, data in read_zip(b"".join(response.streaming_content)).items()
    }
    assert set(files) == {"long.csv", "wide.csv", "codebook.json", "codebook.md", "manifest.json"}
    long_rows = list(csv.DictReader(io.StringIO(files["long.csv"]), delimiter=";"))
    alias = pseudonym(answered.enrollments[0].user_id)
    mine = {(row["wave"], row["item"]): row for row in long_rows if row["pseudonym"] == alias}
    assert {wave for wave, _item in mine} == {"t0", "t1", "t2"}
    assert (
        mine[("t1", "kompetenz_1")]["version"] == "1"
        and mine[("t0", "kompetenz_1")]["instrument"] == "t0-einstieg"
    )
    assert mine[("t1", "transferplan")]["value"] == "'=HYPERLINK(1)"  # text, never a formula
    wide = list(csv.DictReader(io.StringIO(files["wide.csv"]), delimiter=";"))
    assert len(wide) == 4 and {row["pseudonym"] for row in wide} == {
        pseudonym(e.user_id) for e in answered.enrollments
    }
    (row,) = [row for row in wide if row["pseudonym"] == alias]
    assert (row["t0_kompetenz_1"], row["t1_kompetenz_1"], row["t2_kompetenz_1"]) == ("2", "4", "5")
    everything = "".join(files.values())
    for enrollment in answered.enrollments:
        assert enrollment.user.email not in everything and enrollment.user.last_name not in everything


def test_the_manifest_names_the_exact_bytes(client, answered):
    client.force_login(group_member("evaluators"))
    raw = read_zip(b"".join(client.get("/auswertung/wellen/export.zip").streaming_content))
    files = {name: data.decode("utf-8-sig") for name, data in raw.items()}
    manifest = json.loads(files["manifest.json"])
    for name in ("long.csv", "wide.csv", "codebook.json", "codebook.md"):
        assert manifest["files"][name]["sha256"] == hashlib.sha256(raw[name]).hexdigest()
    assert manifest["files"]["long.csv"]["rows"] == files["long.csv"].count("\n") - 1
    book = json.loads(files["codebook.json"])
    t2 = next(i for i in book["instruments"] if i["instrument"] == "t2-nachbefragung")
    projects = next(item for item in t2["items"] if item["variable"] == "projekte")
    assert (projects["type"], projects["minimum"], projects["maximum"]) == ("number", 0, 100)
    assert {wave["wave"] for wave in book["waves"]} == {"t0", "t1", "t2"}
    assert "kompetenz_1" in files["codebook.md"]


def test_a_version_with_answers_is_frozen_and_a_new_version_copies_its_items(answered):
    instrument = Instrument.objects.get(key="t1-abschluss")
    first = instruments.current_version(instrument)
    assert instruments.is_frozen(first)
    with pytest.raises(Exception, match="neue Fassung"):
        instruments.refuse_change_when_frozen(first)
    second = instruments.new_version(instrument=instrument, note="Frage 2 klarer")
    assert second.number == 2
    assert list(second.items.values_list("key", flat=True)) == list(first.items.values_list("key", flat=True))
    assert not instruments.is_frozen(second)
    Item.objects.filter(version=second, key="kompetenz_2").update(text="neu")
    assert first.items.get(key="kompetenz_2").text != "neu"


def test_the_admin_refuses_to_change_a_frozen_version(client, answered):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    version = instruments.current_version(Instrument.objects.get(key="t1-abschluss"))
    page = client.get(f"/admin/evaluation/instrumentversion/{version.pk}/change/")
    assert page.status_code == 200
    assert 'name="items-0-text"' not in page.content.decode()  # shown read-only


def test_evaluators_add_a_question_in_the_admin_and_coordinators_cannot(client, answered):
    evaluator = group_member("evaluators")
    evaluator.is_staff = True
    evaluator.save(update_fields=["is_staff"])
    instrument = Instrument.objects.get(key="t0-einstieg")
    client.force_login(evaluator)
    response = client.post(
        "/admin/evaluation/instrument/",
        {"action": "make_new_version", "_selected_action": [instrument.pk]},
    )
    assert response.status_code == 302
    second = instruments.current_version(instrument)
    assert second.number == 2
    page = client.get(f"/admin/evaluation/instrumentversion/{second.pk}/change/").content.decode()
    assert 'name="items-0-text"' in page  # not frozen: editable
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    coordinator = UserFactory(is_staff=True)  # staff get a second factor from the factory
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    client.force_login(coordinator)
    assert client.get("/admin/evaluation/instrument/").status_code == 403
