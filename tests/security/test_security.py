import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import UserFactory, totp_code
from tests.portal.test_settings import REAL_OPERATOR

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


# --- headers -----------------------------------------------------------------------------------


def test_every_page_sends_csp_and_the_other_security_headers(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_inline_scripts_or_styles_in_the_portal_pages(client):
    html = client.get(reverse("home")).content.decode()
    assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_production_sets_hsts_and_secure_cookies(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_URL"))}
    env.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "EMAIL_URL": "smtp://mail.example.org:25",
            "DJANGO_ALLOWED_HOSTS": "smartcity.example.org",
            "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
            "PORTAL_BASE_URL": "https://smartcity.example.org",
            **REAL_OPERATOR,
        }
    )
    # The pages print the operator's texts, which live in the database.
    for command in (["collectstatic", "--noinput", "-v0"], ["migrate", "-v0"]):
        prepared = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert prepared.returncode == 0, prepared.stderr
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='smartcity.example.org', "
        "HTTP_X_FORWARDED_PROTO='https', secure=True); r = c.get('/impressum/');"
        "print(r.status_code, r['Strict-Transport-Security']);"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.strip().splitlines()[-2:]
    assert first == "200 max-age=31536000; includeSubDomains; preload"
    assert second == "True True True Lax"


# --- guessing passwords --------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_login_with_a_clear_message(client, settings):
    user = UserFactory(email="ziel@example.org")
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": "ziel@example.org", "password": "falsch"})
    response = client.post(
        reverse("account_login"), {"login": "ziel@example.org", "password": "ein-sicheres-Passwort-1"}
    )
    assert response.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Staff unlock by removing the access attempts (admin "Zugriffsversuche" or `manage.py axes_reset`).
    from axes.utils import reset

    reset(username="ziel@example.org")
    response = client.post(
        reverse("account_login"), {"login": "ziel@example.org", "password": "ein-sicheres-Passwort-1"}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_uploads_are_rate_limited(client, settings):
    from django.test import RequestFactory

    from portal.web.ratelimit import allow

    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.9")
    assert all(allow(request, "upload", limit=3, window=60) for _ in range(3))
    assert not allow(request, "upload", limit=3, window=60)
    assert allow(RequestFactory().post("/", REMOTE_ADDR="10.0.0.10"), "upload", limit=3, window=60)


# --- second factor for staff --------------------------------------------------------------------


def test_staff_without_second_factor_must_set_it_up_first(client):
    reviewer = UserFactory(is_staff=True, totp=False)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    client.force_login(reviewer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("admin:applications_application_changelist")).status_code == 302
    # Setting it up is allowed (allauth first asks for the password again).
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Passwort" in page.content.decode()


def test_staff_log_in_with_password_and_code(client):
    UserFactory(email="rita@example.org", is_staff=True)
    response = client.post(
        reverse("account_login"), {"login": "rita@example.org", "password": "ein-sicheres-Passwort-1"}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_code_counts_for_the_neighbouring_30_seconds_and_only_once(client, time_machine):
    """RFC 6238's one time step of tolerance: a code read just before the authenticator app
    moves on still works when it arrives; an older one does not, and none works twice."""
    import datetime as dt

    from allauth.mfa.totp.internal.auth import validate_totp_code

    from tests.factories import STAFF_TOTP_SECRET

    time_machine.move_to(dt.datetime(2026, 11, 25, 9, 0, 29, tzinfo=dt.UTC), tick=False)
    code = totp_code()
    time_machine.move_to(dt.datetime(2026, 11, 25, 9, 0, 31, tzinfo=dt.UTC), tick=False)
    assert validate_totp_code(STAFF_TOTP_SECRET, code)
    time_machine.move_to(dt.datetime(2026, 11, 25, 9, 1, 1, tzinfo=dt.UTC), tick=False)
    assert not validate_totp_code(STAFF_TOTP_SECRET, code)

    UserFactory(email="rita@example.org", is_staff=True)
    client.post(
        reverse("account_login"), {"login": "rita@example.org", "password": "ein-sicheres-Passwort-1"}
    )
    code = totp_code()
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.logout()
    client.post(
        reverse("account_login"), {"login": "rita@example.org", "password": "ein-sicheres-Passwort-1"}
    )
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200  # used already
    assert "_auth_user_id" not in client.session


def test_the_admin_login_cannot_skip_the_second_factor(client):
    UserFactory(email="rita@example.org", is_staff=True)
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.post(
        reverse("admin:login"), {"username": "rita@example.org", "password": "ein-sicheres-Passwort-1"}
    )
    assert "_auth_user_id" not in client.session


def test_evaluators_need_a_second_factor_too(client):
    evaluator = UserFactory()
    evaluator.groups.add(Group.objects.get(name="evaluators"))
    client.force_login(evaluator)
    response = client.get(reverse("evaluation:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_participants_need_no_second_factor(client):
    client.force_login(UserFactory())
    assert client.get(reverse("applications:dashboard")).status_code == 200
