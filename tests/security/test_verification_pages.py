"""The verification page's honest verdicts in the browser: a sealed copy that is not the issued
file, a credential outside its time, a certificate that could not be issued and a file no parser
can read. Each is checked with axe-core and at 1366, 390 and 320 px for sideways scrolling."""

import datetime as dt
import io
import os

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pyhanko.pdf_utils.reader import PdfFileReader

from certificates import services
from certificates.models import Certificate
from certificates.selectors import find
from tests.certificates import test_certificates as base
from tests.e2e.conftest import axe, browser_type_launch_args, page  # noqa: F401
from tests.security.test_verification_credentials import resigned

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("PORTAL_SCREENSHOT_DIR")
WIDTHS = (1366, 390, 320)
FILE_LABEL = "Zertifikat als PDF oder digitaler Nachweis (.jwt, .json)"
cohort, coordinator = base.cohort, base.coordinator


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def look(page, axe, name: str) -> None:  # noqa: F811
    axe()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def upload(page, axe, live_server, path) -> None:  # noqa: F811
    page.goto(live_server.url + reverse("certificates:verify"))
    axe()
    page.get_by_label(FILE_LABEL).set_input_files(str(path))
    page.get_by_role("button", name="Datei prüfen").click()
    page.wait_for_load_state("load")


def test_the_honest_verdicts_read_well_at_every_width(
    page,  # noqa: F811
    axe,  # noqa: F811
    live_server,
    cohort,
    coordinator,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    base.graduate(cohort, coordinator, first_name="مهرداد", last_name="زرین‌کوب")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
    certificate.refresh_from_db()
    content = certificate.pdf.read()
    signature = PdfFileReader(io.BytesIO(content)).embedded_signatures[0]
    after = signature.sig_object["/ByteRange"][2]
    copy = bytearray(content)
    copy[after - 2] = ord("1")  # the signature's zero padding: outside the signed range
    (tmp_path / "kopie.pdf").write_bytes(bytes(copy))
    upload(page, axe, live_server, tmp_path / "kopie.pdf")
    result = page.get_by_role("status")
    expect(result).to_contain_text("Siegel gültig, aber die Datei ist nicht die ausgestellte Fassung.")
    expect(result).to_contain_text("Der Zeitpunkt des Siegelns ist nicht nachgewiesen")
    look(page, axe, "verify-sealed-copy")

    (tmp_path / "abgelaufen.jwt").write_text(
        resigned(certificate.credential_jwt, exp=int((timezone.now() - dt.timedelta(days=1)).timestamp()))
    )
    upload(page, axe, live_server, tmp_path / "abgelaufen.jwt")
    expect(page.get_by_role("status")).to_contain_text("Der digitale Nachweis ist zurzeit nicht gültig.")
    look(page, axe, "verify-credential-expired")

    (tmp_path / "tief.json").write_text("[" * 3000 + "]" * 3000)
    upload(page, axe, live_server, tmp_path / "tief.json")
    expect(page.get_by_role("alert")).to_contain_text("Die Datei ist nicht echt oder wurde verändert.")
    look(page, axe, "verify-refused")

    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.FAILED)
    assert find(certificate.number, certificate.verification_code) is not None
    page.goto(
        live_server.url
        + reverse("certificates:verify")
        + f"?nummer={certificate.number}&code={certificate.verification_code}"
    )
    expect(page.get_by_role("status")).to_contain_text("Dieses Zertifikat konnte nicht ausgestellt werden.")
    look(page, axe, "verify-failed")
