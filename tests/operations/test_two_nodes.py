"""Two web nodes and two workers, one truth: real gunicorn and Celery processes share
PostgreSQL, Redis and the S3 endpoint, and one person's journey alternates between the nodes."""

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from applications.models import Application
from certificates.models import Certificate
from cohorts.models import Enrollment
from modules.models import Attendance, Module, Session, TaskSubmission
from portal.models import Municipality
from tests.applications.conftest import form_data, pdf_bytes
from tests.conftest import S3_KEYS
from tests.factories import CohortFactory, UserFactory
from tests.reminders.test_worker import free_port, stop

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "ein-sicheres-Passwort-1"


def node_environment(s3, s3_server) -> dict:
    database = settings.DATABASES["default"]
    return {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: database.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SECRET_KEY": "two-nodes-share-one-secret-key-" + "x" * 30,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_STAFF_MFA_REQUIRED": "false",
        "EMAIL_URL": "consolemail://",
        "PORTAL_S3_BUCKET": s3.bucket,
        "PORTAL_S3_ENDPOINT_URL": s3_server,
        "PORTAL_S3_REGION": "eu-central-1",
        "PORTAL_S3_ACCESS_KEY": S3_KEYS["access_key"],
        "PORTAL_S3_SECRET_KEY": S3_KEYS["secret_key"],
        "PORTAL_LOG_FORMAT": "json",
    }


def spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        args, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}:\n" + log.read_text()[-4000:])


class Browser(requests.Session):
    """A person with one cookie jar, talking to whichever node the test names."""

    def form(self, url: str, data: dict, files=None, referer=None):
        token = self.cookies.get("csrftoken") or self.get(url).cookies.get("csrftoken")
        if token is None:
            self.get(url)
            token = self.cookies.get("csrftoken")
        return self.post(
            url,
            data={**data, "csrfmiddlewaretoken": token},
            files=files,
            headers={"Referer": url},
            allow_redirects=False,
            timeout=30,
        )


def open_cohort_with_modules():
    today = timezone.localdate()
    cohort = CohortFactory(
        applications_open_at=timezone.now() - dt.timedelta(days=1),
        applications_close_on=today + dt.timedelta(days=10),
        start_date=today - dt.timedelta(days=60),
        end_date=today - dt.timedelta(days=1),
        # The journey decides while the window is still open: the admin has moved the cohort on.
        review_phase="decision",
    )
    for position in range(1, 6):
        module = Module.objects.create(
            programme=cohort.programme, position=position, title=f"Modul {position}"
        )
        start = timezone.now() - dt.timedelta(days=50 - position)
        Session.objects.create(
            cohort=cohort, module=module, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
    return cohort


def complete(enrollment, coordinator):
    Enrollment.objects.filter(pk=enrollment.pk).update(state=Enrollment.State.CONFIRMED)
    for session in enrollment.cohort.sessions.all():
        Attendance.objects.create(
            session=session, enrollment=enrollment, status="present", recorded_by=coordinator
        )
        TaskSubmission.objects.create(
            enrollment=enrollment,
            module=session.module,
            kind="task",
            state="accepted",
            file="x.pdf",
            file_name="x.pdf",
            submitted_at=session.starts_at,
        )


def test_a_journey_alternating_between_two_web_nodes_and_two_workers(s3, s3_server, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # what the nodes know
    cohort = open_cohort_with_modules()
    applicant = UserFactory(email="wechsel@example.org", first_name="Jördis", last_name="Groß")
    reviewer = UserFactory(email="referat22@example.org", is_staff=True, totp=False)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    coordinator = UserFactory(email="agentur@example.org", is_staff=True, totp=False)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(coordinator)

    env = node_environment(s3, s3_server)
    log = tmp_path / "nodes.log"
    ports = [free_port(), free_port()]
    processes = []
    try:
        for port in ports:
            processes.append(
                spawn(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "config.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--timeout",
                        "60",
                    ],
                    env,
                    log,
                )
            )
        for name in ("one", "two"):
            processes.append(
                spawn(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        "--pool=solo",
                        "--concurrency=1",
                        f"--hostname={name}@%h",
                        "--without-gossip",
                        "--without-mingle",
                        "--loglevel=INFO",
                    ],
                    env,
                    log,
                )
            )
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        for node in (a, b):
            wait_until(
                lambda node=node: requests.get(f"{node}/readyz", timeout=2).status_code == 200,
                60,
                f"{node}/readyz",
                log,
            )

        # Both workers report in; the operators' view names them.
        def workers():
            return requests.get(f"{a}/readyz?full=1", timeout=2).json()["checks"]["workers"].get("nodes", {})

        wait_until(
            lambda: {name.split("@")[0] for name in workers()} >= {"one", "two"},
            60,
            "both workers' heartbeats",
            log,
        )
        ready = requests.get(f"{a}/readyz?full=1", timeout=2).json()
        assert ready["checks"]["storage"]["status"] == "ok"

        person = Browser()
        # 1. Sign in on A.
        response = person.form(f"{a}/konto/login/", {"login": applicant.email, "password": PASSWORD})
        assert response.status_code == 302, response.text[:2000]
        # 2. Upload the endorsement on B (the session from A is valid there).
        data = form_data(municipality=str(Municipality.objects.get(ags="12054000").pk))
        response = person.form(
            f"{b}/bewerbung/neu/",
            data,
            files={"endorsement_upload": ("Schreiben.pdf", pdf_bytes(), "application/pdf")},
        )
        assert response.status_code == 302, response.text[:3000]
        application = Application.objects.get(applicant=applicant)
        assert application.endorsement.name
        assert s3.get_object(Bucket=s3.bucket, Key=application.endorsement.name)["Body"].read() == pdf_bytes()
        # 3. Submit on A.
        response = person.form(f"{a}/bewerbung/{application.pk}/pruefen/", {})
        assert response.status_code == 302, response.text[:3000]
        application.refresh_from_db()
        assert application.status == Application.Status.SUBMITTED
        # 4. A reviewer accepts on B.
        staff = Browser()
        assert (
            staff.form(f"{b}/konto/login/", {"login": reviewer.email, "password": PASSWORD}).status_code
            == 302
        )
        response = staff.form(
            f"{b}/{settings.ADMIN_URL}applications/application/{application.pk}/entscheiden/",
            {"decision": "accepted", "reason": "Passt sehr gut."},
        )
        if response.status_code == 200:  # the admin shows what the decision does, then confirms it
            confirmed = re.search(r'name="confirmed"[^>]*value="([^"]+)"', response.text)
            assert confirmed, response.text[-3000:]
            response = staff.form(
                f"{b}/{settings.ADMIN_URL}applications/application/{application.pk}/entscheiden/",
                {"decision": "accepted", "reason": "Passt sehr gut.", "confirmed": confirmed.group(1)},
            )
        assert response.status_code == 302, response.text[:3000]
        application.refresh_from_db()
        assert application.status == Application.Status.ACCEPTED, log.read_text()[-4000:]
        # 5. The coordinator issues the certificate on A; either worker renders it ...
        complete(application.enrollment, coordinator)
        coordination = Browser()
        assert (
            coordination.form(
                f"{a}/konto/login/", {"login": coordinator.email, "password": PASSWORD}
            ).status_code
            == 302
        )
        response = coordination.form(f"{a}/koordination/{cohort.pk}/zertifikate/ausstellen/", {})
        assert response.status_code == 302
        wait_until(
            lambda: Certificate.objects.filter(status=Certificate.Status.ISSUED).exclude(pdf="").exists(),
            60,
            "the rendered certificate",
            log,
        )
        certificate = Certificate.objects.get()
        # ... and the participant downloads it on B.
        response = person.get(f"{b}/zertifikat/{certificate.pk}/pdf/", timeout=30)
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        stored = s3.get_object(Bucket=s3.bucket, Key=certificate.pdf.name)["Body"].read()
        assert response.content == stored and stored[:5] == b"%PDF-"
    finally:
        for process in reversed(processes):
            stop(process)
    # Both nodes served; one worker rendered; every request line carries a request ID.
    text = log.read_text()
    requests_logged = re.findall(r'\{[^\n]*"logger": "portal.request"[^\n]*\}', text)
    assert len(requests_logged) >= 8
    assert all('"request_id": "' in line for line in requests_logged)
    assert "wechsel@example.org" not in "".join(requests_logged)
