"""Every certificate as an Open Badges 3.0 credential: valid against 1EdTech's schema, verifiable
with an independent implementation (openbadgeslib), revocable through the published status list,
and still verifiable after a key rotation."""

import base64
import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pikepdf
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openbadgeslib.ob3 import OB3Verifier
from openbadgeslib.ob3.verifier import OB3VerificationError

from certificates import keys, openbadges, services
from certificates.models import Certificate
from tests.certificates import test_certificates as base
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = base.NOW
graduate = base.graduate
cohort = base.cohort
coordinator = base.coordinator
SCHEMAS = Path(django_settings.BASE_DIR) / "standards" / "openbadges-3.0"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def write_key(path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


def public_pem(path) -> bytes:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture
def signing_key(settings, tmp_path):
    settings.OB_SIGNING_KEY_FILE = str(write_key(tmp_path / "ob-2026.pem"))
    settings.OB_RETIRED_KEY_FILES = []
    return settings.OB_SIGNING_KEY_FILE


@pytest.fixture
def issued(signing_key, cohort, coordinator, django_capture_on_commit_callbacks):
    graduate(cohort, coordinator, first_name="Jördis", last_name="Groß-Łęcka", email="joerdis@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    return certificate


def fetch_with(client):
    """The independent verifier's downloader, answered by the portal in-process (no network)."""

    def download(url: str) -> bytes:
        response = client.get(urlparse(url).path)
        assert response.status_code == 200, url
        return response.content

    return download


def test_the_vendored_schema_files_are_there():
    missing = [
        name
        for name in ("achievementcredential.schema.json", "profile.schema.json", "SOURCE.md")
        if not (SCHEMAS / name).is_file()
    ]
    assert missing == [], f"standards/openbadges-3.0 lacks {missing}: the credential cannot be validated"


def test_issued_credential_matches_the_schema_and_says_what_the_certificate_says(issued, cohort):
    credential = openbadges.credential_of(issued.credential_jwt)
    assert openbadges.schema_errors(credential) == []
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == issued.credential_id
    assert credential["issuer"]["id"] == "http://127.0.0.1:8000/nachweis/aussteller/"
    assert "Referat 22" in credential["issuer"]["name"]
    assert credential["validFrom"] == "2022-12-19T23:00:00Z"  # 20.12.2022, 00:00 in Berlin
    subject = credential["credentialSubject"]
    email, name = subject["identifier"]
    assert email["identityType"] == "emailAddress" and email["hashed"] is True
    assert "joerdis@example.org" not in json.dumps(credential)
    assert email["identityHash"] == openbadges.identity_hash("joerdis@example.org", email["salt"])
    assert name == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Jördis Groß-Łęcka",
    }
    achievement = subject["achievement"]
    narrative = achievement["criteria"]["narrative"]
    assert "## Deutsch" in narrative and "## English" in narrative
    assert all(f"{n}. Modul {n}" in narrative for n in range(1, 6))
    assert achievement["related"][0]["inLanguage"] == "en"
    assert issued.number in credential["name"]
    assert credential["evidence"][0]["id"].endswith(
        f"?nummer={issued.number}&code={issued.verification_code}"
    )
    status = credential["credentialStatus"]
    assert status["statusListIndex"] == str(issued.pk)
    assert status["statusListCredential"] == "http://127.0.0.1:8000/nachweis/status/"


def test_a_credential_that_breaks_the_schema_is_not_issued(issued):
    credential = openbadges.credential_of(issued.credential_jwt)
    del credential["credentialSubject"]["achievement"]["criteria"]
    credential["validFrom"] = "20.12.2022"
    errors = openbadges.schema_errors(credential)
    assert any(error.startswith("validFrom") for error in errors)
    with pytest.raises(openbadges.CredentialError):
        openbadges.validate_schema(credential)


def test_independent_verifier_accepts_it_and_sees_the_revocation(client, issued, coordinator, signing_key):
    verifier = OB3Verifier(pubkey_pem=public_pem(signing_key))
    download = fetch_with(client)
    verified = verifier.verify(issued.credential_jwt, check_status=True, download=download)
    assert verified.issuer.id == openbadges.issuer_id()
    assert verified.achievement.name == issued.programme_title
    header = json.loads(base64.urlsafe_b64decode(issued.credential_jwt.split(".")[0] + "=="))
    assert header["alg"] == "RS256" and header["typ"] == "JWT"

    services.revoke(certificate=issued, reason="Täuschung", by=coordinator, at=NOW)
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(issued.credential_jwt, check_status=True, download=download)


def test_status_list_sets_only_the_revoked_bits(client, issued, coordinator):
    from openbadgeslib.ob3.status import decode_encoded_list

    def bit(index: int) -> bool:
        token = client.get(reverse("certificates:ob_status_list")).content.decode()
        encoded = openbadges.credential_of(token)["credentialSubject"]["encodedList"]
        bits = decode_encoded_list(encoded)
        assert len(bits) * 8 == openbadges.STATUS_LIST_BITS
        return bool(bits[index // 8] & (0x80 >> (index % 8)))

    assert not bit(issued.pk)
    services.revoke(certificate=issued, reason="Täuschung", by=coordinator, at=NOW)
    assert bit(issued.pk)
    assert not bit(issued.pk + 1)


def test_key_rotation_keeps_earlier_credentials_verifiable(client, issued, settings, tmp_path, signing_key):
    old_token = issued.credential_jwt
    settings.OB_SIGNING_KEY_FILE = str(write_key(tmp_path / "ob-2027.pem"))
    settings.OB_RETIRED_KEY_FILES = [signing_key]
    assert openbadges.verify_token(old_token)["id"] == issued.credential_id
    published = client.get(reverse("certificates:ob_jwks")).json()["keys"]
    assert len({key["n"] for key in published}) == 2
    assert all("d" not in key and key["alg"] == "RS256" for key in published)
    old_kid = json.loads(base64.urlsafe_b64decode(old_token.split(".")[0] + "=="))["kid"]
    assert old_kid in {key["kid"] for key in published}  # found by exact lookup
    # Without the retired key the old credential is no longer the portal's.
    settings.OB_RETIRED_KEY_FILES = []
    with pytest.raises(openbadges.CredentialError, match="key"):
        openbadges.verify_token(old_token)


def test_tampered_or_foreign_credentials_are_refused(issued, settings, tmp_path):
    header, payload, signature = issued.credential_jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["identifier"][1]["identityHash"] = "Jemand anderes"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(openbadges.CredentialError, match="signature"):
        openbadges.verify_token(f"{header}.{forged}.{signature}")
    with pytest.raises(OB3VerificationError):
        OB3Verifier(pubkey_pem=public_pem(settings.OB_SIGNING_KEY_FILE)).verify(
            f"{header}.{forged}.{signature}"
        )
    # Signed by someone else's key, even with this portal's issuer.
    ours = settings.OB_SIGNING_KEY_FILE
    settings.OB_SIGNING_KEY_FILE = str(write_key(tmp_path / "fremd.pem"))
    foreign = openbadges.sign_credential(openbadges.credential_of(issued.credential_jwt), at=NOW)
    settings.OB_SIGNING_KEY_FILE = ours
    with pytest.raises(openbadges.CredentialError, match="key"):
        openbadges.verify_token(foreign)


def test_pdf_carries_the_credential_as_associated_file(issued):
    with pikepdf.open(issued.pdf.path) as pdf:
        associated = {str(spec.F): spec for spec in pdf.Root.AF}
        jwt_name = f"Nachweis-{issued.number}.jwt"
        assert set(associated) == {jwt_name, f"Nachweis-{issued.number}.json"}
        assert all(spec.AFRelationship == pikepdf.Name.Alternative for spec in associated.values())
        assert pdf.attachments[jwt_name].get_file().read_bytes().decode() == issued.credential_jwt
        assert pdf.attachments[jwt_name].get_file().mime_type == "application/jwt"
        assert b"pdfaid:part" in pdf.Root.Metadata.read_bytes()


def test_participant_downloads_credential_from_the_course_page(client, issued, cohort, coordinator):
    user = issued.enrollment.user
    client.force_login(user)
    page = client.get(reverse("modules:dashboard")).content.decode()
    jwt_url = reverse("certificates:credential_jwt", args=[issued.pk])
    json_url = reverse("certificates:credential_json", args=[issued.pk])
    assert jwt_url in page and json_url in page
    response = client.get(jwt_url)
    assert response["Content-Disposition"] == f'attachment; filename="Nachweis-{issued.number}.jwt"'
    assert response.content.decode() == issued.credential_jwt
    assert json.loads(client.get(json_url).content)["id"] == issued.credential_id
    client.force_login(UserFactory())
    assert client.get(jwt_url).status_code == 404
    client.force_login(coordinator)
    assert client.get(json_url).status_code == 200


def test_linkedin_link_names_the_certificate(client, issued):
    client.force_login(issued.enrollment.user)
    page = client.get(reverse("modules:dashboard")).content.decode()
    start = page.index('href="https://www.linkedin.com/profile/add?')
    url = page[start + 6 : page.index('"', start + 6)].replace("&amp;", "&")
    params = {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}
    assert params["startTask"] == "CERTIFICATION_NAME"
    assert params["name"] == issued.programme_title
    assert "Referat 22" in params["organizationName"]
    assert (params["issueYear"], params["issueMonth"]) == ("2022", "12")
    assert params["certId"] == issued.number
    assert params["certUrl"].endswith(f"nummer={issued.number}&code={issued.verification_code}")
    assert "Zum LinkedIn-Profil hinzufügen" in page


def test_verification_page_accepts_the_credential_files(client, issued, coordinator):
    def check(name: str, content: str) -> str:
        return client.post(
            reverse("certificates:verify"), {"datei": SimpleUploadedFile(name, content.encode())}
        ).content.decode()

    assert "Der digitale Nachweis ist echt, das Zertifikat ist gültig." in check(
        "n.jwt", issued.credential_jwt
    )
    readable = json.dumps(openbadges.credential_of(issued.credential_jwt), ensure_ascii=False)
    assert "Der Nachweis (JSON) stimmt mit dem ausgestellten überein." in check("n.json", readable)
    altered = readable.replace("Jördis", "Jordis")
    assert "wurde nicht von diesem Portal ausgestellt oder wurde verändert" in check("n.json", altered)
    assert "wurde nicht von diesem Portal ausgestellt" in check("n.jwt", issued.credential_jwt[:-4] + "AAAA")
    services.revoke(certificate=issued, reason="Täuschung", by=coordinator, at=NOW)
    page = check("n.jwt", issued.credential_jwt)
    assert "das Zertifikat wurde aber widerrufen" in page and "Täuschung" in page
    assert "das Zertifikat ist gültig" not in page


def test_issuer_profile_achievement_and_keys_are_published(client, issued):
    import jsonschema

    profile = client.get(reverse("certificates:ob_issuer")).json()
    schema = json.loads((SCHEMAS / "profile.schema.json").read_text())
    jsonschema.Draft201909Validator(schema).validate(profile)
    assert profile["id"] == openbadges.issuer_id()
    achievement_url = reverse("certificates:ob_achievement", args=[issued.cohort.programme.slug])
    german = client.get(achievement_url).json()
    english = client.get(achievement_url + "?lang=en").json()
    assert german["inLanguage"] == "de" and english["inLanguage"] == "en"
    assert english["id"] == german["related"][0]["id"]
    assert client.get(reverse("certificates:ob_achievement", args=["gibt-es-nicht"])).status_code == 404
    jwks = client.get(reverse("certificates:ob_jwks"))
    assert jwks["Content-Type"].startswith("application/jwk-set+json")
    thumbprint = keys.signing_key().kid
    assert [key["kid"] for key in jwks.json()["keys"]] == [
        openbadges.key_url(thumbprint),  # what credentials name now: the key's own address
        f"{openbadges.jwks_url()}#{thumbprint}",  # what credentials issued earlier name
    ]


def test_reissue_revokes_the_old_credential_and_issues_a_new_one(
    client, issued, coordinator, signing_key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = services.reissue(certificate=issued, reason="Name falsch", by=coordinator, at=NOW)
    new.refresh_from_db()
    assert new.credential_id != issued.credential_id
    verifier = OB3Verifier(pubkey_pem=public_pem(signing_key))
    download = fetch_with(client)
    verifier.verify(new.credential_jwt, check_status=True, download=download)
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(issued.credential_jwt, check_status=True, download=download)


def test_status_list_is_valid_for_a_day(client, issued):
    token = client.get(reverse("certificates:ob_status_list")).content.decode()
    status_list = openbadges.credential_of(token)
    start = dt.datetime.fromisoformat(status_list["validFrom"].replace("Z", "+00:00"))
    end = dt.datetime.fromisoformat(status_list["validUntil"].replace("Z", "+00:00"))
    assert end - start == dt.timedelta(days=1)
    # Signed with the same key as the credentials (the same header names it).
    assert token.split(".")[0] == issued.credential_jwt.split(".")[0]


def test_erasure_drops_the_stored_credential_but_a_kept_one_still_verifies(client, issued, tmp_path):
    from certificates import privacy

    token = issued.credential_jwt
    assert privacy.export(issued.enrollment.user).data["certificates"][0]["credential_jwt"] == token
    privacy.erase(issued.enrollment.user, at=NOW)
    issued.refresh_from_db()
    assert issued.credential_jwt == "" and issued.credential_id
    page = client.post(
        reverse("certificates:verify"), {"datei": SimpleUploadedFile("n.jwt", token.encode())}
    ).content.decode()
    assert "Der digitale Nachweis ist echt, das Zertifikat ist gültig." in page
    readable = json.dumps(openbadges.credential_of(token))
    page = client.post(
        reverse("certificates:verify"), {"datei": SimpleUploadedFile("n.json", readable.encode())}
    ).content.decode()
    assert "lässt sich nicht mehr abgleichen" in page
