"""A long export is not cut off by gunicorn's timeout: through a real gunicorn (with a timeout of
two seconds) and a real worker, the reviewer's export answers at once with the progress page,
the worker writes the file, and the reviewer downloads it."""

import csv
import io
import os
import re
import sys
import time

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse

from applications.models import Application
from portal.accounts.models import User
from tests.factories import CohortFactory, UserFactory, berlin
from tests.operations.test_two_nodes import spawn, wait_until
from tests.reminders.test_worker import free_port, start, stop

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROWS = 60


def signed_in(user) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def test_an_export_longer_than_the_web_timeout_completes_in_the_worker(tmp_path):
    cohort = CohortFactory(number=3)
    users = User.objects.bulk_create(
        User(email=f"lang{i}@example.org", first_name="L", last_name=str(i)) for i in range(ROWS)
    )
    Application.objects.bulk_create(
        Application(
            cohort=cohort,
            applicant=user,
            status="submitted",
            sequence=i + 1,
            reference=f"SCM-3-{i + 1:04d}",
            submitted_at=berlin(2022, 9, 20, 12),
        )
        for i, user in enumerate(users)
    )
    reviewer = UserFactory(email="rita@example.org", is_staff=True, totp=False)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    database = settings.DATABASES["default"]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))},
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: database.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_URL": "consolemail://",
        "PORTAL_STAFF_MFA_REQUIRED": "false",
        "PORTAL_EXPORT_BACKGROUND_ROWS": "10",
        "PORTAL_HEARTBEAT_DIR": str(tmp_path),
    }
    log = tmp_path / "nodes.log"
    port = free_port()
    web = spawn(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--timeout", "2"],
        env,
        log,
    )
    worker = start("worker", env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{url}/healthz", timeout=2).status_code == 200, 60, "gunicorn", log)
        person = requests.Session()
        person.cookies.set(settings.SESSION_COOKIE_NAME, signed_in(reviewer))
        export_url = url + reverse("admin:applications_application_export")
        form = person.get(export_url, timeout=30)
        assert form.status_code == 200, form.text[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        started = time.monotonic()
        response = person.post(
            export_url,
            data={
                "csrfmiddlewaretoken": token,
                "format": "0",
                "resource": "0",
                "applicationresource_reference": "on",
                "applicationresource_name": "on",
            },
            headers={"Referer": export_url},
            allow_redirects=False,
            timeout=30,
        )
        assert time.monotonic() - started < 2
        assert response.status_code == 302, response.text[:500]
        status_url = url + response.headers["Location"]
        wait_until(
            lambda: "Der Export ist fertig" in person.get(status_url, timeout=5).text, 90, "the export", log
        )
        download = person.get(status_url + "datei/", timeout=30)
        assert download.status_code == 200
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) == ROWS + 1 and rows[1][0] == "SCM-3-0001"
        stranger = requests.Session()
        stranger.cookies.set(settings.SESSION_COOKIE_NAME, signed_in(UserFactory(is_staff=True, totp=False)))
        assert stranger.get(status_url + "datei/", timeout=5).status_code == 404
    finally:
        stop(worker)
        stop(web)
    assert "WORKER TIMEOUT" not in log.read_text()
