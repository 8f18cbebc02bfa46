"""A credential counts only within its time, and only with the key its header names exactly.

Tokens here are signed with the installation's own key, so every refusal is about time or key,
never about a foreign signature. PyJWT, a JOSE library other than the one that signs, finds the
key by the header's ``kid`` in the published key set and at the ``kid``'s own address."""

import base64
import datetime as dt
import json

import jwt
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import RSAKey

from certificates import keys, openbadges
from certificates.selectors import Verdict
from tests.certificates import test_certificates as base
from tests.certificates.test_openbadges import issued, signing_key  # noqa: F401

pytestmark = pytest.mark.django_db
cohort, coordinator = base.cohort, base.coordinator


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def resigned(token: str, **changes) -> str:
    """The token's credential and claims with ``changes`` (None removes), signed again with the
    installation's key."""
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    for name, value in changes.items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    return openbadges._sign(payload)


def upload(client, token: str):
    response = client.post(
        reverse("certificates:verify"), {"datei": SimpleUploadedFile("n.jwt", token.encode())}
    )
    assert response.status_code == 200
    return response.context["pdf_result"], response.content.decode()


def stamp(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"exp": "past"}, "abgelaufen"),
        ({"validUntil": "past"}, "abgelaufen"),
        ({"nbf": "future"}, "noch nicht gültig"),
        ({"validFrom": "future"}, "noch nicht gültig"),
    ],
)
def test_a_token_signed_with_our_key_outside_its_time_is_not_valid(client, issued, changes, says):  # noqa: F811
    now = timezone.now()
    moments = {"past": now - dt.timedelta(hours=2), "future": now + dt.timedelta(hours=2)}
    ((name, when),) = changes.items()
    value = iso(moments[when]) if name.startswith("valid") else stamp(moments[when])
    token = resigned(issued.credential_jwt, **{name: value})
    with pytest.raises(openbadges.CredentialNotNow):
        openbadges.verify_token(token)
    result, page = upload(client, token)
    assert result.verdict == Verdict.CREDENTIAL_NOT_NOW and not result.genuine
    assert result.certificate == issued
    assert f"Der Nachweis stammt von diesem Portal, ist aber {says}." in page
    assert "Der digitale Nachweis ist zurzeit nicht gültig." in page
    assert "das Zertifikat ist gültig" not in page
    # Within its time the same kind of token is valid: the check is the time, not the claim.
    inside = {"past": now + dt.timedelta(hours=2), "future": now - dt.timedelta(hours=2)}[when]
    value = iso(inside) if name.startswith("valid") else stamp(inside)
    assert openbadges.verify_token(resigned(issued.credential_jwt, **{name: value}))["id"]


@pytest.mark.parametrize("claim", ["exp", "nbf", "validFrom", "validUntil"])
def test_a_malformed_time_claim_is_refused(client, issued, claim):  # noqa: F811
    token = resigned(issued.credential_jwt, **{claim: "morgen"})
    with pytest.raises(openbadges.CredentialError):
        openbadges.verify_token(token)
    result, _page = upload(client, token)
    assert result.verdict == Verdict.REFUSED


def test_the_status_list_token_is_refused_on_the_verification_page(client, issued):  # noqa: F811
    token = client.get(reverse("certificates:ob_status_list")).content.decode()
    claims = jwt.decode(
        token,
        key=jwt.PyJWKSet.from_dict(client.get(reverse("certificates:ob_jwks")).json())[
            jwt.get_unverified_header(token)["kid"]
        ],
        algorithms=["RS256"],
    )
    assert claims["exp"] > claims["nbf"]  # the list carries its end as exp as well as validUntil
    result, page = upload(client, token)
    assert result.verdict == Verdict.REFUSED
    assert "nicht von diesem Portal ausgestellt oder wurde verändert" in page


def test_the_kid_is_looked_up_exactly_and_dereferences_to_one_key(client, issued):  # noqa: F811
    token = issued.credential_jwt
    kid = jwt.get_unverified_header(token)["kid"]
    thumbprint = keys.signing_key().kid
    assert kid == openbadges.key_url(thumbprint)
    key = client.get(reverse("certificates:ob_key", args=[thumbprint]))
    assert key.status_code == 200 and key.json()["kid"] == kid and "d" not in key.json()
    assert jwt.decode(token, key=jwt.PyJWK(key.json()), algorithms=["RS256"])["id"] == issued.credential_id
    assert client.get(reverse("certificates:ob_key", args=["unbekannt"])).status_code == 404
    # The same key under another name: a header that merely ends in the thumbprint is not ours.
    header, payload, _signature = token.split(".")
    for foreign_kid in (f"https://andere.example/schluessel#{thumbprint}", thumbprint, kid + "#x"):
        forged_header = {**json.loads(base64.urlsafe_b64decode(header + "==")), "kid": foreign_kid}
        body = base64.urlsafe_b64decode(payload + "==")
        forged = jws.serialize_compact(forged_header, body, RSAKey.import_key(keys.signing_key().private_pem))
        with pytest.raises(openbadges.CredentialError, match="key"):
            openbadges.verify_token(forged)
