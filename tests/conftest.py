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
    from config.celery import app

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
def _default_language():
    """Every test starts in German, as a request without a choice does: the language a page
    activated for its request stays active in the thread afterwards (as in a server thread)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_operator_texts_yet():
    """Every test starts with a database that holds no edited operator texts, as the migrations
    leave it: pages read none until a test saves one (the process keeps them otherwise)."""
    from portal.operator import texts

    texts.forget(none_saved=True)
    yield
    texts.forget()


@pytest.fixture(autouse=True)
def _sessions_in_the_database(settings):
    """Pages pin their query counts with sessions read from the database, as the portal does
    without Redis. With REDIS_URL it reads them from the cache first (one query fewer per
    request); the tests with real gunicorn processes run that way."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the tables, and with them what data migrations loaded
    (municipalities, mail templates, the evaluation's instruments); put it back for the next test that needs it."""
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
        from evaluation.default_instruments import install
        from evaluation.models import Instrument, InstrumentVersion, Item

        if not Instrument.objects.exists():
            install(Instrument, InstrumentVersion, Item)


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 HTTP endpoint (moto's server mode) on a free loopback port, for the session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


S3_KEYS = {"access_key": "test-access-key", "secret_key": "test-secret-key"}


def s3_storage_settings(endpoint: str, bucket: str) -> dict:
    """The STORAGES entry config/settings.py builds from PORTAL_S3_*, for a test bucket."""
    import importlib
    import os
    from unittest import mock

    from config import settings as portal_settings

    environment = {
        "PORTAL_S3_BUCKET": bucket,
        "PORTAL_S3_ENDPOINT_URL": endpoint,
        "PORTAL_S3_REGION": "eu-central-1",
        "PORTAL_S3_ACCESS_KEY": S3_KEYS["access_key"],
        "PORTAL_S3_SECRET_KEY": S3_KEYS["secret_key"],
    }
    with mock.patch.dict(os.environ, environment):
        configured = importlib.reload(portal_settings).STORAGES["default"]
    importlib.reload(portal_settings)
    return configured


@pytest.fixture
def s3(settings, s3_server):
    """Every stored file goes to a fresh, private bucket on the S3 endpoint; yields a boto3 client."""
    import uuid

    import boto3

    bucket = f"portal-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-central-1",
        aws_access_key_id=S3_KEYS["access_key"],
        aws_secret_access_key=S3_KEYS["secret_key"],
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_settings(s3_server, bucket)}
    client.bucket = bucket
    yield client
