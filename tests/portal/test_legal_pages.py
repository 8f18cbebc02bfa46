"""The legal pages BITV 2.0 and the Brandenburg rules ask for: accessibility statement with a
feedback form and the enforcement procedure, Leichte Sprache, sign language, imprint."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from portal.mail.models import OutboxMessage
from portal.models import AccessibilityFeedback

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def test_accessibility_statement_follows_the_model_statement(client, settings):
    settings.PORTAL_ACCESSIBILITY = {
        **settings.PORTAL_ACCESSIBILITY,
        "prepared_on": "01.10.2026",
        "reviewed_on": "20.11.2026",
        "enforcement_email": "schlichtung@brandenburg.example",
    }
    page = client.get(reverse("accessibility")).content.decode()
    assert "teilweise mit der BITV 2.0 vereinbar" in page
    assert "Nicht barrierefreie Inhalte" in page
    # each known barrier names another way
    assert "Eine barrierefreie Fassung oder eine Erläuterung erhalten Sie auf Anfrage" in page
    assert "Diese Erklärung wurde am 01.10.2026 erstellt." in page
    assert "zuletzt am 20.11.2026 überprüft" in page
    # feedback: a form, not only an address
    assert '<form method="post"' in page and 'name="message"' in page
    assert 'href="mailto:barrierefreiheit@example.org"' in page
    # the Brandenburg enforcement procedure
    assert "Durchsetzungsverfahren" in page
    assert "Beauftragten der Landesregierung für die Belange der Menschen mit Behinderungen" in page
    assert 'href="mailto:schlichtung@brandenburg.example"' in page
    assert reverse("easy_language") in page


def test_feedback_is_stored_and_mailed_to_the_accessibility_contact(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_OPERATOR = {**settings.PORTAL_OPERATOR, "accessibility_email": "a11y@mil.example"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accessibility"),
            {
                "message": "Der Kalender-Link ist mit der Tastatur nicht erreichbar <b>!</b>",
                "page": "Mein Kurs",
                "name": "Jördis Groß",
                "email": "joerdis@example.org",
            },
            follow=True,
        )
    assert "Vielen Dank für Ihre Rückmeldung. Wir antworten Ihnen innerhalb von sechs Wochen." in (
        response.content.decode()
    )
    feedback = AccessibilityFeedback.objects.get()
    assert (feedback.page, feedback.email) == ("Mein Kurs", "joerdis@example.org")
    (message,) = mail.outbox
    assert message.to == ["a11y@mil.example"]
    assert message.subject.startswith("Rückmeldung zur Barrierefreiheit")
    assert "Der Kalender-Link ist mit der Tastatur nicht erreichbar <b>!</b>" in message.body
    assert "E-Mail für die Antwort: joerdis@example.org" in message.body
    assert OutboxMessage.objects.get().kind == "accessibility-feedback"


def test_empty_feedback_is_refused_and_keeps_what_was_typed(client):
    response = client.post(reverse("accessibility"), {"message": "  ", "page": "Startseite"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bitte beschreiben Sie die Barriere." in page
    assert 'value="Startseite"' in page
    assert not AccessibilityFeedback.objects.exists()


def test_feedback_is_rate_limited(client):
    for _ in range(5):
        client.post(reverse("accessibility"), {"message": "Kontrast zu schwach"})
    response = client.post(reverse("accessibility"), {"message": "Noch einmal"})
    assert response.status_code == 400
    assert "schon mehrere Rückmeldungen" in response.content.decode()
    assert AccessibilityFeedback.objects.count() == 5


def test_start_page_links_leichte_sprache_and_shows_sign_language_only_when_configured(client, settings):
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("easy_language")}"' in page
    assert reverse("sign_language") not in page
    assert client.get(reverse("sign_language")).status_code == 404

    settings.PORTAL_OPERATOR = {
        **settings.PORTAL_OPERATOR,
        "sign_language_video": "https://video.example.org/dgs-portal.mp4",
    }
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("sign_language")}"' in page
    video = client.get(reverse("sign_language")).content.decode()
    assert '<video class="sign-language-video" controls' in video
    assert 'src="https://video.example.org/dgs-portal.mp4"' in video


def test_leichte_sprache_explains_content_navigation_statement_and_feedback(client):
    page = client.get(reverse("easy_language")).content.decode()
    assert "Das Lern·programm heißt: Smart City Manager:in." in page  # content
    assert "Oben auf jeder Seite ist ein Menü." in page  # navigation
    assert "Barriere·frei heißt: Alle Menschen können die Internet·seite gut benutzen." in page  # statement
    assert f'href="{reverse("accessibility")}#feedback-title"' in page  # feedback
    assert "Wir antworten Ihnen. Das dauert höchstens 6 Wochen." in page
    assert "Schlichtungs·stelle" in page


def test_english_leichte_sprache_page_is_translated(client):
    client.cookies["portal_language"] = "en"
    page = client.get(reverse("easy_language")).content.decode()
    assert "The learning programme is called: Smart City Manager." in page


def test_imprint_names_the_person_responsible(client, settings):
    settings.PORTAL_OPERATOR = {
        **settings.PORTAL_OPERATOR,
        "responsible": "Dr. Erika Beispiel, Referatsleiterin",
    }
    page = client.get(reverse("imprint")).content.decode()
    assert "Verantwortlich für den Inhalt" in page
    assert "Dr. Erika Beispiel, Referatsleiterin" in page
