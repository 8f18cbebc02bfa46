# ruff: noqa: F811  (the fixtures of tests/modules/conftest.py)
"""Scheduling a cohort: every module's sessions in one form (date, times, link, descriptions in
German and English), saved together; clashes and sessions outside the cohort's period are
refused with the reason at their row, and nothing is saved then."""

import datetime as dt

import pytest
from django.urls import reverse

from modules.models import Attendance, Session
from tests.factories import UserFactory, berlin
from tests.modules.conftest import cohort, coordinator, modules, participant, session  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

PREFIX = "sitzung"


def row(module, day, start="13:00", end="15:00", **extra):
    return {"module": module.pk, "date": day, "start": start, "end": end, **extra}


def post_data(existing_rows, new_rows, *, blank_modules=()):
    """The formset as the browser sends it: the existing sessions, the new rows typed in and the
    blank rows left as they were."""
    rows = list(existing_rows) + list(new_rows) + [{"module": m.pk} for m in blank_modules]
    data = {
        f"{PREFIX}-TOTAL_FORMS": str(len(rows)),
        f"{PREFIX}-INITIAL_FORMS": str(len(existing_rows)),
        f"{PREFIX}-MIN_NUM_FORMS": "0",
        f"{PREFIX}-MAX_NUM_FORMS": "60",
    }
    for i, values in enumerate(rows):
        for key, value in values.items():
            data[f"{PREFIX}-{i}-{key}"] = value
    return data


def test_five_modules_sessions_in_one_form(client, cohort, modules, coordinator):
    client.force_login(coordinator)
    url = reverse("modules:schedule", args=[cohort.pk])
    page = client.get(url).content.decode()
    assert page.count('class="kern-fieldset schedule-row') == 5  # one blank row per module
    rows = [
        row(
            m,
            (dt.date(2022, 10, 25) + dt.timedelta(days=7 * i)).isoformat(),
            meeting_url="https://konferenz.example.org/raum",
            description=f"Sitzung {i + 1}",
            description_en=f"Session {i + 1}",
        )
        for i, m in enumerate(modules)
    ]
    response = client.post(url, post_data([], rows))
    assert response.status_code == 302
    sessions = list(Session.objects.order_by("starts_at"))
    assert [s.module for s in sessions] == modules
    assert sessions[0].starts_at == berlin(2022, 10, 25, 13) and sessions[4].ends_at == berlin(
        2022, 11, 22, 15
    )
    assert (
        sessions[2].description_en == "Session 3"
        and sessions[2].meeting_url == "https://konferenz.example.org/raum"
    )
    again = client.get(url).content.decode()
    assert again.count('class="kern-fieldset schedule-row') == 10
    assert 'value="2022-11-22"' in again and "Sitzung löschen" in again


def test_clashes_and_dates_outside_the_cohort_are_refused_with_the_reason(
    client, cohort, modules, coordinator
):
    kept = session(cohort, modules[0], dt.date(2022, 10, 25))
    client.force_login(coordinator)
    url = reverse("modules:schedule", args=[cohort.pk])
    new = [
        row(modules[1], "2022-11-01", description="Bleibt erhalten"),
        row(modules[2], "2022-11-01", start="14:00", end="16:00"),
        row(modules[3], "2022-12-20"),
        row(modules[4], "2022-11-08", start="15:00", end="14:00"),
    ]
    response = client.post(
        url, post_data([row(modules[0], "2022-10-25", id=kept.pk)], new, blank_modules=[modules[4]])
    )
    page = response.content.decode()
    assert response.status_code == 400 and Session.objects.get() == kept
    assert "Nichts wurde gespeichert." in page
    assert "Zeile 2: Die Sitzung überschneidet sich mit Zeile 3 (Modul 3, 01.11.2022, 14:00)." in page
    assert "Zeile 4: Die Sitzung muss im Zeitraum des Durchgangs liegen (24.10.2022 bis 16.12.2022)." in page
    assert "Zeile 5: Das Ende muss nach dem Beginn liegen." in page
    assert "Zeile 6" not in page.split("</ul></div>")[0]  # the blank row is left out
    assert "Bleibt erhalten</textarea>" in page  # nothing typed is lost
    clash = client.post(url, post_data([], [row(modules[1], "2022-10-25", start="14:00", end="15:30")]))
    assert (
        "Zeile 1: Die Sitzung überschneidet sich mit „Modul 1 – 25.10.2022, 13:00“." in clash.content.decode()
    )


def test_moving_and_deleting_sessions(client, cohort, modules, coordinator, participant):
    first = session(cohort, modules[0], dt.date(2022, 10, 25))
    second = session(cohort, modules[1], dt.date(2022, 11, 1))
    Attendance.objects.create(
        session=first, enrollment=participant, status="present", recorded_by=coordinator
    )
    client.force_login(coordinator)
    url = reverse("modules:schedule", args=[cohort.pk])
    existing = [
        row(modules[0], "2022-10-25", id=first.pk, delete="on"),
        row(modules[1], "2022-11-02", start="10:00", end="12:00", id=second.pk),
    ]
    refused = client.post(url, post_data(existing, []))
    assert "Für diese Sitzung ist schon Anwesenheit erfasst" in refused.content.decode()
    existing[0].pop("delete")
    second_delete = dict(existing[1], delete="on")
    assert client.post(url, post_data([existing[0], second_delete], [])).status_code == 302
    assert list(Session.objects.all()) == [first]
    existing[0].update(start="09:00", end="11:00")
    client.post(url, post_data([existing[0]], []))
    first.refresh_from_db()
    assert first.starts_at == berlin(2022, 10, 25, 9)


def test_another_cohorts_session_cannot_be_smuggled_in(client, cohort, modules, coordinator):
    from tests.factories import CohortFactory

    other = CohortFactory(number=8, start_date=cohort.start_date, end_date=cohort.end_date)
    foreign = session(other, modules[0], dt.date(2022, 10, 25))
    client.force_login(coordinator)
    url = reverse("modules:schedule", args=[cohort.pk])
    response = client.post(url, post_data([row(modules[0], "2022-10-26", id=foreign.pk)], []))
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.cohort == other and foreign.starts_at == berlin(2022, 10, 25, 13)


def test_only_the_cohorts_coordinators_may_schedule(client, cohort, modules, participant):
    url = reverse("modules:schedule", args=[cohort.pk])
    for user in (UserFactory(is_staff=True), participant.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, post_data([], [row(modules[0], "2022-10-25")])).status_code == 404
    assert not Session.objects.exists()


def test_the_schedule_page_costs_the_same_for_few_and_many_sessions(
    client, cohort, modules, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    url = reverse("modules:schedule", args=[cohort.pk])
    session(cohort, modules[0], dt.date(2022, 10, 25))
    with django_assert_num_queries(7):
        client.get(url)
    for i in range(1, 20):
        session(cohort, modules[i % 5], dt.date(2022, 10, 25) + dt.timedelta(days=i))
    with django_assert_num_queries(7):
        client.get(url)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_planning_clashing_sessions_at_once_save_one(cohort, modules, coordinator):
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    from modules.services import PlannedSession, schedule_cohort

    barrier = threading.Barrier(2)
    refused = []

    def plan(module, hour):
        try:
            barrier.wait(timeout=30)
            schedule_cohort(
                cohort=cohort,
                plan=[
                    PlannedSession(
                        module=module, starts_at=berlin(2022, 11, 1, hour), ends_at=berlin(2022, 11, 1, 15)
                    )
                ],
                by=coordinator,
            )
        except ValidationError as exc:
            refused.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=plan, args=args) for args in [(modules[0], 13), (modules[1], 14)]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Session.objects.count() == 1 and len(refused) == 1
    assert "überschneidet sich" in refused[0].message_dict["row-0"][0]
