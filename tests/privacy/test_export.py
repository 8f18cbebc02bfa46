"""Art. 15 and 20 DSGVO: a person downloads everything the portal holds about them."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from portal.privacy import registry as data_protection
from tests.factories import UserFactory

from .conftest import (
    ended_cohort,
    grant_extension,
    make_application,
    participate,
    pdf_bytes,
    person,
    review,
    with_letter,
)

pytestmark = pytest.mark.django_db


def download(client, user) -> zipfile.ZipFile:
    client.force_login(user)
    response = client.get(reverse("my_data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="meine-daten-smart-city-manager-')
    assert "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def everything(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_every_app_contributes_through_its_privacy_module():
    names = [module.__name__ for module in data_protection.privacy_modules()]
    assert names[:5] == [
        "portal.privacy",
        "cohorts.privacy",
        "applications.privacy",
        "modules.privacy",
        "certificates.privacy",
    ]


def test_the_archive_holds_the_application_its_review_and_the_letter_but_no_one_else(client, reviewer):
    cohort = ended_cohort(3, dt.date(2022, 12, 16))
    jana = with_letter(
        p := person("tok-jana"),
        make_application(cohort, p.user, status=Application.Status.REJECTED, token="tok-jana", sequence=1),
    )
    review(jana.application, reviewer, "tok-jana", decision="rejected")
    grant_extension(jana.application, reviewer, "tok-jana")
    other = person("tok-other")
    theirs = make_application(
        cohort, other.user, status=Application.Status.SUBMITTED, token="tok-other", sequence=2
    )
    review(theirs, reviewer, "tok-other")

    archive = download(client, jana.user)

    names = set(archive.namelist())
    assert {"konto.json", "bewerbungen.json", "teilnahmen.json", "kurs.json", "zertifikate.json"} <= names
    assert {"LIESMICH.txt", "uebersicht.json"} <= names
    account = read_json(archive, "konto.json")
    assert account["email"] == "tok-jana@example.org"
    assert account["last_name"] == "Name-tok-jana"
    assert [m["subject"] for m in account["mails"]] == ["Ihre Bewerbung tok-jana"]
    assert account["second_factors"] == []

    (application,) = read_json(archive, "bewerbungen.json")["applications"]
    assert application["reference"] == "SCM-3-0001"
    assert application["status"] == "rejected"
    assert application["motivation"] == "Motivation tok-jana"
    assert application["supervisor_email"] == "chefin-tok-jana@example.org"
    assert application["privacy_consent"]["version"] == "2026-11"
    # Reviewers' notes and scores are about her (Art. 15), so she gets them ...
    assert [n["text"] for n in application["review_notes"]] == ["Notiz tok-jana"]
    assert application["scores"] == [
        {
            "reviewer": 1,
            "motivation": 4,
            "relevance": 3,
            "commitment": 5,
            "total": 12,
            "comment": "Kommentar tok-jana",
            "at": application["scores"][0]["at"],
        }
    ]
    assert [(h["to"], h["by"], h["reason"]) for h in application["history"]] == [
        ("submitted", "you", ""),
        ("rejected", "programme_team", "Begründung tok-jana"),
    ]
    assert application["deadline_extension"]["reason"] == "Verlängert tok-jana"
    # ... but not who the reviewers are.
    text = everything(archive)
    for secret in ("gutachterin-geheim", "Gudrun", "Gutachter"):
        assert secret not in text.replace("Gutachter:innen", "")
    # Nothing of the other applicant.
    assert "tok-other" not in text

    letter = application["endorsement"]["file"]
    assert letter == "dateien/bewerbungen/SCM-3-0001/Schreiben tok-jana.pdf"
    with jana.application.endorsement.open("rb") as stored:
        assert archive.read(letter) == stored.read()
    overview = read_json(archive, "uebersicht.json")
    assert overview["files"] == [{"file": letter, "section": "bewerbungen"}]
    assert overview["missing_files"] == []
    assert "Bewertungen und Notizen des Auswahlgremiums" in archive.read("LIESMICH.txt").decode()


def test_a_participant_gets_attendance_tasks_and_certificate_pdfs(client, coordinator):
    cohort = ended_cohort(3, dt.date(2022, 12, 16))
    paul = person("tok-paul")
    application = make_application(
        cohort, paul.user, status=Application.Status.ACCEPTED, token="tok-paul", sequence=1
    )
    participate(paul, cohort, coordinator, certificate_sequence=1)
    Application.objects.filter(pk=application.pk).update(enrollment=paul.enrollment)

    archive = download(client, paul.user)

    seats = read_json(archive, "teilnahmen.json")["enrollments"]
    assert [(s["cohort"], s["state"]) for s in seats] == [("3. Schulungsdurchgang", "confirmed")]
    course = read_json(archive, "kurs.json")
    assert [a["status"] for a in course["attendance"]] == ["present"]
    (task,) = course["practical_tasks"]
    assert task["feedback"] == "Rückmeldung tok-paul"
    assert task["file"] == "dateien/praxisaufgaben/3. Schulungsdurchgang/1-task-Aufgabe tok-paul.pdf"
    assert archive.read(task["file"]) == pdf_bytes("tok-paul")
    (certificate,) = read_json(archive, "zertifikate.json")["certificates"]
    assert certificate["number"] == "SCM-2022-3-0001"
    assert certificate["holder_name"] == "Erika Name-tok-paul"
    assert certificate["files"] == ["dateien/zertifikate/Zertifikat-SCM-2022-3-0001.pdf"]
    assert archive.read(certificate["files"][0]) == paul.certificate.content
    assert "koordination-geheim" not in everything(archive)


def test_a_lost_file_is_listed_instead_of_breaking_the_download(client, settings):
    cohort = ended_cohort(3, dt.date(2022, 12, 16))
    lena = person("tok-lena")
    application = make_application(cohort, lena.user, status=Application.Status.DRAFT, token="tok-lena")
    application.endorsement.storage.delete(application.endorsement.name)

    archive = download(client, lena.user)

    overview = read_json(archive, "uebersicht.json")
    assert overview["files"] == []
    assert overview["missing_files"] == [
        "dateien/bewerbungen/entwurf-%d/Schreiben tok-lena.pdf" % application.pk
    ]


def test_file_names_cannot_leave_the_archive_folder(client):
    cohort = ended_cohort(3, dt.date(2022, 12, 16))
    mia = person("tok-mia")
    application = make_application(cohort, mia.user, status=Application.Status.DRAFT, token="tok-mia")
    Application.objects.filter(pk=application.pk).update(endorsement_name="../../../etc/passwd")

    archive = download(client, mia.user)

    (name,) = [n for n in archive.namelist() if n.startswith("dateien/")]
    assert name == f"dateien/bewerbungen/entwurf-{application.pk}/etc_passwd"
    assert all(".." not in part for n in archive.namelist() for part in n.split("/"))


def test_the_page_explains_and_links_download_and_deletion(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("my_data"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("my_data_export")}"' in html
    assert f'href="{reverse("delete_account")}"' in html
    assert "12 Monate" in html
    # Linked from the account menu, and marked as the current page there.
    assert f'<a href="{reverse("my_data")}" aria-current="page">' in html
    assert f'href="{reverse("my_data")}"' in client.get(reverse("account_change_password")).content.decode()


def test_download_needs_a_login_and_is_rate_limited(client):
    assert client.get(reverse("my_data_export")).status_code == 302
    client.force_login(UserFactory())
    statuses = [client.get(reverse("my_data_export")).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def _rich_person(count: int, reviewer, coordinator):
    """A person with ``count`` cohorts, each with an application, a review, a seat, a task and a certificate."""
    rich = person(f"tok-rich{count}")
    for number in range(1, count + 1):
        cohort = ended_cohort(50 + number + count * 10, dt.date(2020 + number, 12, 16))
        application = make_application(
            cohort, rich.user, status=Application.Status.ACCEPTED, token=rich.token, sequence=1
        )
        review(application, reviewer, rich.token, decision="accepted")
        grant_extension(application, reviewer, rich.token)
        participate(rich, cohort, coordinator, certificate_sequence=1)
    return rich


CORE = ("portal", "cohorts", "applications", "modules", "certificates")


@pytest.mark.parametrize("count", [1, 4])
def test_the_archive_takes_the_same_number_of_queries_for_one_or_many_records(
    client, reviewer, coordinator, count, django_assert_num_queries, monkeypatch
):
    # The five core apps, pinned; apps added later are checked by the next test.
    core = tuple(m for m in data_protection.privacy_modules() if m.__name__.split(".")[0] in CORE)
    monkeypatch.setattr(data_protection, "privacy_modules", lambda: core)
    rich = _rich_person(count, reviewer, coordinator)
    client.force_login(rich.user)
    # Session and user (2); account: groups, addresses, second factors, mails, reports of
    # barriers (5); the exports of lists asked for (1); seats and coordinated cohorts (2);
    # applications with history, notes and scores (4); attendance and tasks (2); certificates,
    # imported participations and registered fingerprints of certificates from before the
    # portal (3).
    with django_assert_num_queries(20):  # one of them: the Rückfragen
        response = client.get(reverse("my_data_export"))
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(read_json(archive, "bewerbungen.json")["applications"]) == count
    assert len(read_json(archive, "zertifikate.json")["certificates"]) == count
    assert len([n for n in archive.namelist() if n.startswith("dateien/")]) == 3 * count


def test_every_registered_app_exports_without_growing_queries(reviewer, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 5):
        rich = _rich_person(size, reviewer, coordinator)
        with CaptureQueriesContext(connection) as queries:
            data_protection.build_archive(rich.user, at=timezone.now()).close()
        counts.append(len(queries))
    assert counts[0] == counts[1]
