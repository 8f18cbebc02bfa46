"""Requests larger than the portal takes are refused by their Content-Length, before a byte of
the body is read, with the portal's page (413) in the visitor's language; also for a client that
is already rate-limited."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

TWO_HUNDRED_MB = 200 * 1024 * 1024


class UnreadableBody:
    """A request body that fails the test if anybody reads from it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read

    def __iter__(self):
        raise AssertionError("the body was read")


def post_announcing(client: Client, url: str, length: int):
    return client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=XYZ",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadableBody()},
    )


@pytest.mark.parametrize(
    "url",
    [reverse("certificates:verify"), reverse("account_signup"), reverse("account_login"), "/gibt-es-nicht/"],
)
def test_a_200_mb_upload_is_refused_before_it_is_read(url):
    response = post_announcing(Client(), url, TWO_HUNDRED_MB)
    assert response.status_code == 413
    html = response.content.decode()
    assert "Anfrage zu groß" in html and "höchstens 6 MB" in html
    assert '<main id="inhalt"' in html


def test_the_page_speaks_english_when_the_visitor_chose_english():
    client = Client()
    client.cookies["portal_language"] = "en"
    response = post_announcing(client, reverse("certificates:verify"), TWO_HUNDRED_MB)
    assert response.status_code == 413
    html = response.content.decode()
    assert '<html lang="en">' in html and "Request too large" in html and "at most 6 MB" in html


def test_an_already_rate_limited_client_is_refused_by_size_first(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR="203.0.113.66")
    verify = reverse("certificates:verify")
    statuses = [client.get(verify, {"nummer": "SCM-2022-3-9999", "code": "X"}).status_code for _ in range(21)]
    assert statuses[-1] == 429
    assert post_announcing(client, verify, TWO_HUNDRED_MB).status_code == 413


def test_a_file_a_little_over_five_mb_still_gets_the_forms_own_clear_answer():
    from tests.applications.conftest import pdf_upload

    content = b"%PDF-1.4\n" + b" " * (5 * 1024 * 1024 + 300_000)
    response = Client().post(reverse("certificates:verify"), {"datei": pdf_upload(content=content)})
    assert response.status_code == 200
    assert "Die Datei ist größer als 5 MB." in response.content.decode()


def test_django_limits_are_set_below_the_request_cap():
    assert settings.PORTAL_MAX_REQUEST_BYTES == 6 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.PORTAL_MAX_REQUEST_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.PORTAL_MAX_REQUEST_BYTES
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.MIDDLEWARE[0] == "portal.web.request_size.RequestSizeMiddleware"


def test_too_many_fields_are_refused_with_400_not_500():
    data = {f"feld{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = Client().post(reverse("account_login"), data)
    assert response.status_code == 400
