import os

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"


def pytest_configure(config):
    if REQUIRE_SERVICES:
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(
                "PORTAL_REQUIRE_SERVICES=1 but DATABASE_URL does not point at PostgreSQL."
            )
        if not settings.REDIS_URL:
            raise pytest.UsageError("PORTAL_REQUIRE_SERVICES=1 but REDIS_URL is not set.")


def pytest_collection_modifyitems(config, items):
    """Service-bound tests skip on a quick local run and fail loudly in CI."""
    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if "postgres" in item.keywords and not on_postgres and not REQUIRE_SERVICES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "celery_worker" in item.keywords and not settings.REDIS_URL and not REQUIRE_SERVICES:
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process in tests; the worker test switches this off for itself."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache; every test starts with none used up."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the tables, and with them what data migrations loaded
    (municipalities, mail templates); put it back for the next test that needs it."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
        "django_db_serialized_rollback",
    } & set(request.fixturenames)
    if uses_db:
        from portal.models import Municipality
        from portal.municipalities import load_municipalities

        if not Municipality.objects.exists():
            load_municipalities(Municipality)
        from applications.default_mail_templates import create_defaults
        from applications.models import MailTemplate

        if not MailTemplate.objects.exists():
            create_defaults(MailTemplate)
