"""Logs as JSON, one line per request, with a request ID that the queued tasks carry on."""

import json
import logging
import uuid

import pytest
from celery.signals import before_task_publish
from django_guid import clear_guid, set_guid

from portal.ops.request_log import pseudonymous_user_id
from tests.factories import UserFactory


@pytest.fixture
def json_lines(settings):
    """Every log record, formatted by the JSON formatter and filter the settings name."""
    from logging.config import DictConfigurator

    configurator = DictConfigurator(settings.LOGGING)
    formatter = configurator.configure_formatter(dict(settings.LOGGING["formatters"]["json"]))
    request_id = configurator.configure_filter(dict(settings.LOGGING["filters"]["request_id"]))
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(json.loads(self.format(record)))

    collector = Collect()
    collector.setFormatter(formatter)
    collector.addFilter(request_id)
    root = logging.getLogger()
    root.addHandler(collector)
    yield records
    root.removeHandler(collector)


@pytest.mark.django_db
def test_one_json_line_per_request_with_request_id_and_no_personal_data(client, json_lines):
    user = UserFactory(email="erika.mustermann@example.org", first_name="Erika", last_name="Mustermann")
    client.force_login(user)
    response = client.get("/konto/einstellungen/?email=erika.mustermann@example.org")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    lines = [line for line in json_lines if line["logger"] == "portal.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == request_id
    assert line["method"] == "GET" and line["status"] == 200 and line["route"] == "/konto/einstellungen/"
    assert line["user"] == pseudonymous_user_id(user) and len(line["user"]) == 16
    text = json.dumps(json_lines)
    for personal in ("erika", "Mustermann", "example.org", "127.0.0.1", f'"user": {user.pk}'):
        assert personal.lower() not in text.lower()


@pytest.mark.django_db
def test_a_proxy_request_id_is_kept_when_it_is_a_uuid_and_replaced_otherwise(client, json_lines):
    given = uuid.uuid4().hex
    assert client.get("/impressum/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    injected = client.get("/impressum/", HTTP_X_REQUEST_ID='x" \n{"level": "ERROR"}')["X-Request-ID"]
    assert uuid.UUID(injected) and "ERROR" not in injected


def test_tasks_carry_the_request_id_that_queued_them():
    set_guid("5f0c6c8b0e5a4d2f9a4e3c2b1a0f9e8d")
    try:
        headers = {}
        before_task_publish.send(sender="portal.tasks.flush_outbox", headers=headers, body=())
        assert headers["X-Request-ID"] == "5f0c6c8b0e5a4d2f9a4e3c2b1a0f9e8d"
    finally:
        clear_guid()
