import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# A real imprint: production refuses the placeholders of the example configuration.
REAL_OPERATOR = {
    "PORTAL_OPERATOR_ADDRESS": "Henning-von-Tresckow-Straße 2–8, 14467 Potsdam",
    "PORTAL_OPERATOR_EMAIL": "smartcity@mil.brandenburg.de",
    "PORTAL_OPERATOR_PHONE": "+49 331 866-0",
    "PORTAL_ACCESSIBILITY_EMAIL": "barrierefreiheit@mil.brandenburg.de",
    "PORTAL_ENFORCEMENT_EMAIL": "schlichtungsstelle@lbb.brandenburg.de",
}


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_URL"))}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def production_env(**overrides):
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
        "DJANGO_ALLOWED_HOSTS": "smartcity.example.org",
        "PORTAL_BASE_URL": "https://smartcity.example.org",
        **REAL_OPERATOR,
    }
    env.update(overrides)
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    from tests.certificates.test_openbadges import write_key
    from tests.certificates.test_seal import Authority

    seal_key, seal_cert = Authority(tmp_path, "Siegel-CA").seal("Smart City Manager:in")
    configured = production_env(
        SEAL_KEY_FILE=seal_key,
        SEAL_CERT_FILE=seal_cert,
        OB_SIGNING_KEY_FILE=str(write_key(tmp_path / "ob.pem")),
    )
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", **configured)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", **production_env(DJANGO_SECRET_KEY=""))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_debug():
    result = run_manage("check", **production_env(DJANGO_DEBUG="true"))
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_production_refuses_an_insecure_default_key():
    result = run_manage("check", **production_env(DJANGO_SECRET_KEY="django-insecure-" + "x" * 60))
    assert result.returncode != 0


def test_embedded_default_is_sqlite_eager_and_console_mail():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; from config.celery import app;"
        "print(s.DATABASES['default']['ENGINE'], app.conf.task_always_eager, s.EMAIL_BACKEND, s.DEBUG)",
        REDIS_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "True",
    ]


# --- placeholders that must not reach production -------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        None,  # not set: the development default http://127.0.0.1:8000 is not taken
        "",
        "http://smartcity.example.org",
        "https://",
        "smartcity.example.org",
        "https://127.0.0.1:8000",
        "https://localhost",
        "https://smartcity.example.org/portal/",
        "https://andere-seite.example.org",  # not one of DJANGO_ALLOWED_HOSTS
    ],
)
def test_production_refuses_to_start_without_its_public_https_address(base_url):
    env = production_env()
    del env["PORTAL_BASE_URL"]
    if base_url is not None:
        env["PORTAL_BASE_URL"] = base_url
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "PORTAL_BASE_URL" in result.stderr


@pytest.mark.parametrize("base_url", ["https://smartcity.example.org", "https://smartcity.example.org/"])
def test_production_takes_the_public_https_address(base_url):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from certificates.render import verification_page; print(verification_page())",
        **production_env(PORTAL_BASE_URL=base_url),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("https://smartcity.example.org/")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTAL_OPERATOR_ADDRESS", None),
        ("PORTAL_OPERATOR_ADDRESS", "Musterstraße 1, 14467 Potsdam"),
        ("PORTAL_OPERATOR_ADDRESS", "  musterstraße 1,  14467 Potsdam "),
        ("PORTAL_OPERATOR_ADDRESS", "Musterstrasse 5, 14467 Potsdam"),
        ("PORTAL_OPERATOR_ADDRESS", ""),
        ("PORTAL_OPERATOR_EMAIL", None),
        ("PORTAL_OPERATOR_EMAIL", "smartcity@example.org"),
        ("PORTAL_OPERATOR_EMAIL", "kontakt@portal.example.com"),
        ("PORTAL_OPERATOR_EMAIL", "keine-adresse"),
        ("PORTAL_OPERATOR_PHONE", None),
        ("PORTAL_OPERATOR_PHONE", "+49 331 000000"),
        ("PORTAL_OPERATOR_PHONE", "+49 (331) 000 000"),
        ("PORTAL_OPERATOR_PHONE", " "),
        ("PORTAL_ACCESSIBILITY_EMAIL", None),
        ("PORTAL_ACCESSIBILITY_EMAIL", "barrierefreiheit@example.org"),
        ("PORTAL_ENFORCEMENT_EMAIL", None),
        ("PORTAL_ENFORCEMENT_EMAIL", "schlichtung@stelle.test"),
    ],
)
def test_production_refuses_to_start_with_the_example_imprint(variable, value):
    env = production_env()
    del env[variable]
    if value is not None:
        env[variable] = value
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert f"{variable} must be set in production" in result.stderr


def test_development_keeps_the_placeholders_for_a_try_out():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.PORTAL_BASE_URL, s.PORTAL_OPERATOR['email'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["http://127.0.0.1:8000", "smartcity@example.org"]


def test_the_deployment_files_name_every_value_production_requires():
    """README, .env.example and docker-compose.yml tell the operator what production refuses."""
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    for variable in ["PORTAL_BASE_URL", *REAL_OPERATOR, "DJANGO_TRUSTED_PROXY_COUNT"]:
        assert f"`{variable}`" in readme, variable
        assert f"{variable}=" in example, variable
        assert variable in compose, variable
    for variable in ["PORTAL_BASE_URL", *REAL_OPERATOR]:
        assert f"{variable}: ${{{variable}:?" in compose, variable


@pytest.mark.parametrize("state", ["13", "0", "17", "BB", "120"])
def test_the_portals_state_is_a_state_key(state):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.PORTAL_STATE)", PORTAL_STATE=state
    )
    if state == "13":
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[-1] == "13"
    else:
        assert result.returncode != 0
        assert "PORTAL_STATE must be a state key from 01 to 16" in result.stderr
