import pytest

pytestmark = pytest.mark.django_db


def test_not_found_page_is_german_in_the_portal_layout(client, settings):
    settings.DEBUG = False
    response = client.get("/gibt-es-nicht/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="de">' in html and "Seite nicht gefunden" in html and "Zum Inhalt springen" in html
