"""Each certificate as an Open Badges 3.0 ``OpenBadgeCredential`` (1EdTech), on the W3C Verifiable
Credentials 2.0 data model, secured with the JSON Web Token proof format (RS256, the algorithm
Open Badges 3.0 requires every issuer to support).

What is guaranteed:
- every credential the portal issues validates against 1EdTech's JSON schema, kept unchanged in
  ``standards/openbadges-3.0`` (a credential that does not is not issued);
- the holder is named as printed and identified only by a salted SHA-256 hash of the e-mail
  address (an ``IdentityObject``), so the credential does not disclose the address;
- the issuer's profile, the public keys (JWKS) and a Bitstring Status List credential are
  published at stable addresses; revoking a certificate sets its bit in that list, which is
  built from the database on every request, so a revocation shows at once;
- a key rotation keeps older credentials verifiable: retired public keys stay in the JWKS, and
  the JWT header names its key (``kid``): the URL of that one key as JWK (Open Badges 3.0
  §8.2.4.1), found by exact lookup in the JWKS, whose entries carry the same ``kid``;
- a token counts only within its time: ``exp``, ``nbf``, ``validFrom`` and ``validUntil`` are
  checked (a minute's leeway for clocks), and input is bounded before any JSON parser sees it.
Nothing here fetches anything from the network: the JSON-LD contexts are referenced by URL only.
"""

import base64
import datetime as dt
import gzip
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.operator import texts as operator_texts

from . import claims, keys
from .claims import CredentialError, CredentialNotNow

__all__ = ["CredentialError", "CredentialNotNow"]  # raised here, defined with the claim checks

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
SCHEMA_DIR = Path(settings.BASE_DIR) / "standards" / "openbadges-3.0"
# The Bitstring Status List's minimum length (16 KiB), so a list does not reveal how few
# certificates there are; a certificate's index is its primary key.
STATUS_LIST_BITS = 131072
STATUS_LIST_LIFETIME = dt.timedelta(days=1)
JWT_CLAIMS = ("iss", "jti", "sub", "nbf", "iat", "exp")
CREDENTIAL_NAMESPACE = uuid.UUID("6f4a4d53-2b7e-5d1c-9a7e-5c3e0a1b2f10")

TEXTS = {
    "de": {
        "criteria": (
            "Das Zertifikat erhält, wer alle fünf Themenmodule eines Schulungsdurchgangs "
            "abgeschlossen hat. Ein Modul ist abgeschlossen, wenn die Teilnehmerin oder der "
            "Teilnehmer an allen Terminen des Moduls teilgenommen hat (bei entschuldigtem Fehlen: "
            "Ersatzaufgabe angenommen) und die Praxisaufgabe des Moduls angenommen wurde."
        ),
        "modules": "Themenmodule",
    },
    "en": {
        "criteria": (
            "The certificate is awarded to participants who completed all five theme modules of "
            "a cohort. A module is completed when the participant attended all of its sessions "
            "(if excused: make-up task accepted) and the module's practical task was accepted."
        ),
        "modules": "Theme modules",
    },
}


def _url(name: str, **kwargs) -> str:
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{reverse(name, kwargs=kwargs)}"


def issuer_id() -> str:
    return _url("certificates:ob_issuer")


def jwks_url() -> str:
    return _url("certificates:ob_jwks")


def key_url(thumbprint: str) -> str:
    """The ``kid`` of a signing key: the address where that key is published as one JWK."""
    return _url("certificates:ob_key", thumbprint=thumbprint)


def _legacy_kid(thumbprint: str) -> str:
    """How credentials issued before the key URLs named their key (kept verifiable)."""
    return f"{jwks_url()}#{thumbprint}"


def status_list_url() -> str:
    return _url("certificates:ob_status_list")


def issuer_name() -> str:
    """The issuer's name: the setting ``OB_ISSUER_NAME``, else the operator's name and unit."""
    if settings.OB_ISSUER_NAME:
        return settings.OB_ISSUER_NAME
    operator = operator_texts.operator_details()
    return ", ".join(part for part in (operator["name"], operator["unit"]) if part)


def issuer_profile() -> dict:
    """The operator's profile as Open Badges 3.0 ``Profile`` (published at ``issuer_id()``)."""
    return {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": issuer_name(),
        "url": settings.OB_ISSUER_URL or settings.PORTAL_BASE_URL,
        "email": settings.PORTAL_OPERATOR["email"],
    }


def published_profile() -> dict:
    return {"@context": [VC_CONTEXT, OB_CONTEXT], **issuer_profile()}


def credential_id(number: str) -> str:
    """A credential's id: a UUID derived from the certificate number, so a retried rendering
    issues the same id."""
    return f"urn:uuid:{uuid.uuid5(CREDENTIAL_NAMESPACE, number)}"


def _modules(programme_id: int) -> list:
    from modules.models import Module

    return list(Module.objects.filter(programme_id=programme_id).order_by("position"))


def _narrative(modules) -> str:
    """The completion criteria and the modules, in German and in English (Markdown)."""
    parts = []
    for language, heading in (("de", "Deutsch"), ("en", "English")):
        texts = TEXTS[language]
        lines = [f"## {heading}", "", texts["criteria"], "", f"{texts['modules']}:", ""]
        for module in modules:
            title = module.title_en if language == "en" and module.title_en else module.title
            lines.append(f"{module.position}. {title}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _description(programme, language: str) -> str:
    """The programme's description from its operator's texts."""
    return operator_texts.text("programme.description", programme.state, language)


def achievement(programme, modules) -> dict:
    """The programme as Open Badges ``Achievement``: German, with its English edition related."""
    achievement_url = _url("certificates:ob_achievement", slug=programme.slug)
    return {
        "id": achievement_url,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": programme.title,
        "description": f"{_description(programme, 'de')}\n\n{_description(programme, 'en')}",
        "criteria": {"narrative": _narrative(modules)},
        "inLanguage": "de",
        "creator": issuer_profile(),
        "related": [{"id": f"{achievement_url}?lang=en", "type": ["Related"], "inLanguage": "en"}],
        "tag": [
            "Smart City",
            "Digitalisierung",
            "Stadtentwicklung",
            operator_texts.text("state.name", programme.state),
        ],
    }


def english_achievement(programme, modules) -> dict:
    base = achievement(programme, modules)
    return {
        **base,
        "id": base["related"][0]["id"],
        "description": _description(programme, "en"),
        "inLanguage": "en",
        "related": [{"id": base["id"], "type": ["Related"], "inLanguage": "de"}],
    }


def identity_hash(email: str, salt: str) -> str:
    """The e-mail address as Open Badges ``IdentityHash``: sha256 of address and salt."""
    return "sha256$" + hashlib.sha256(f"{email.strip().lower()}{salt}".encode()).hexdigest()


def _berlin(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_default_timezone())


def _issued_at(certificate) -> dt.datetime:
    """validFrom: the start of the issue day in Europe/Berlin (the date the certificate prints)."""
    return _berlin(certificate.issued_on, dt.time.min)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _subject(certificate, programme, *, email: str, salt: str) -> dict:
    """The credential's ``credentialSubject``: the holder (salted e-mail hash, name), the cohort's
    dates and the achievement."""
    return {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": identity_hash(email, salt),
                "salt": salt,
            },
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.holder_name,
            },
        ],
        "activityStartDate": _iso(_berlin(certificate.cohort_start, dt.time.min)),
        "activityEndDate": _iso(_berlin(certificate.cohort_end, dt.time(23, 59, 59))),
        "achievement": achievement(programme, _modules(programme.pk)),
    }


def _evidence(certificate) -> list[dict]:
    """The credential's ``evidence``: the verification page with number and code."""
    from .render import verification_url

    return [
        {
            "id": verification_url(certificate),
            "type": ["Evidence"],
            "name": f"Zertifikat / Certificate {certificate.number}",
            "narrative": (
                f"Zertifikatsnummer {certificate.number}, Prüfcode {certificate.verification_code}. "
                f"Certificate number {certificate.number}, verification code "
                f"{certificate.verification_code}."
            ),
        }
    ]


def build_credential(certificate, *, email: str, salt: str | None = None) -> dict:
    """The unsigned ``OpenBadgeCredential`` of a certificate."""
    salt = salt or secrets.token_hex(16)
    programme = certificate.cohort.programme
    issued = _iso(_issued_at(certificate))
    status_url = status_list_url()
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(certificate.number),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{programme.title} – {certificate.number}",
        "issuer": issuer_profile(),
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": _subject(certificate, programme, email=email, salt=salt),
        "evidence": _evidence(certificate),
        "credentialStatus": {
            "id": f"{status_url}#{certificate.pk}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.pk),
            "statusListCredential": status_url,
        },
        "credentialSchema": [{"id": OB_SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    validate_schema(credential)
    return credential


# --- Schema ------------------------------------------------------------------------------------


@cache
def _validator():
    from jsonschema import Draft201909Validator
    from referencing import Registry, Resource

    schema = json.loads((SCHEMA_DIR / "achievementcredential.schema.json").read_text())
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft201909Validator(schema, registry=registry, format_checker=Draft201909Validator.FORMAT_CHECKER)


def schema_errors(credential: dict) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in _validator().iter_errors(credential)
    ]


def validate_schema(credential: dict) -> None:
    errors = schema_errors(credential)
    if errors:
        raise CredentialError("; ".join(errors))


# --- JSON Web Token proof ----------------------------------------------------------------------


def _sign(payload: dict, typ: str = "JWT") -> str:
    from joserfc import jws
    from joserfc.jwk import RSAKey

    key = keys.signing_key()
    header = {"alg": "RS256", "typ": typ, "kid": key_url(key.kid)}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, body, _rsa_key(key.private_pem, RSAKey))


@cache
def _rsa_key(pem: bytes, key_class):
    return key_class.import_key(pem)


def sign_credential(credential: dict, *, at: dt.datetime) -> str:
    """The credential as VC-JWT: the credential is the payload, with the registered claims."""
    claims = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(dt.datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp()),
        "iat": int(at.timestamp()),
    }
    return _sign({**credential, **claims})


def credential_of(token: str) -> dict:
    """The credential a (verified) VC-JWT carries, without the JWT claims."""
    return {key: value for key, value in _payload(token).items() if key not in JWT_CLAIMS}


def _payload(token: str) -> dict:
    try:
        _header, body, _signature = token.split(".")
        return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, TypeError) as exc:
        raise CredentialError("not a compact JWT") from exc


def published_keys() -> dict[str, dict]:
    """Every public key by the exact ``kid`` a token's header carries: the key's URL, and the
    form earlier credentials used (the JWKS URL with the thumbprint as fragment)."""
    published = {}
    for thumbprint, jwk in keys.verification_keys().items():
        for kid in (key_url(thumbprint), _legacy_kid(thumbprint)):
            published[kid] = {**jwk, "kid": kid}
    return published


def jwks() -> dict:
    return {"keys": list(published_keys().values())}


def published_key(thumbprint: str) -> dict | None:
    """One key as JWK, as its ``kid`` URL returns it."""
    return published_keys().get(key_url(thumbprint))


def verify_token(token: str, *, at: dt.datetime | None = None, check_time: bool = True) -> dict:
    """The credential of a VC-JWT that this portal signed (with any of its current or retired
    keys) and that is valid at ``at`` (now); ``CredentialNotNow`` for one signed by this portal
    outside its time, ``CredentialError`` for anything else. Nothing is parsed before the size
    and nesting are bounded; the key is found by the header's exact ``kid``."""
    from joserfc import jws
    from joserfc.errors import JoseError
    from joserfc.jwk import RSAKey

    from . import bounds

    token = token.strip()
    if len(token) > bounds.MAX_TOKEN_BYTES or token.count(".") != 2:
        raise CredentialError("not a compact JWS")
    header_part, payload_part, _signature = token.split(".")
    header = claims.json_part(header_part)
    if not isinstance(header, dict) or header.get("alg") != "RS256":
        raise CredentialError("unexpected algorithm")
    jwk = published_keys().get(header.get("kid")) if isinstance(header.get("kid"), str) else None
    if jwk is None:
        raise CredentialError("signed with a key this portal does not know")
    payload = claims.json_part(payload_part)
    try:
        jws.deserialize_compact(token, RSAKey.import_key(jwk), algorithms=["RS256"])
    except (JoseError, ValueError, TypeError) as exc:
        raise CredentialError("signature invalid") from exc
    if not isinstance(payload, dict):
        raise CredentialError("not a credential")
    issuer = payload.get("issuer")
    if payload.get("iss") != issuer_id() or not isinstance(issuer, dict) or issuer.get("id") != issuer_id():
        raise CredentialError("issued by someone else, or not a certificate's credential")
    if check_time:
        claims.check_time(payload, at=at or timezone.now())
    credential = {key: value for key, value in payload.items() if key not in JWT_CLAIMS}
    validate_schema(credential)
    return credential


# --- Bitstring Status List ---------------------------------------------------------------------


def encoded_list(revoked_indices) -> str:
    """Multibase base64url of the GZIP-compressed bitstring; index 0 is the leftmost bit."""
    indices = list(revoked_indices)
    size = max(STATUS_LIST_BITS, -(-(max(indices, default=0) + 1) // STATUS_LIST_BITS) * STATUS_LIST_BITS)
    bits = bytearray(size // 8)
    for index in indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


@dataclass(frozen=True)
class StatusList:
    credential: dict
    token: str


def status_list(*, at: dt.datetime) -> StatusList:
    """The signed revocation list of every certificate the portal issued."""
    from .models import Certificate

    revoked = Certificate.objects.filter(status=Certificate.Status.REVOKED).values_list("pk", flat=True)
    url = status_list_url()
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": _iso(at),
        "validUntil": _iso(at + STATUS_LIST_LIFETIME),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked),
        },
    }
    claims = {
        "iss": issuer_id(),
        "jti": url,
        "nbf": int(at.timestamp()),
        "iat": int(at.timestamp()),
        "exp": int((at + STATUS_LIST_LIFETIME).timestamp()),
    }
    return StatusList(credential=credential, token=_sign({**credential, **claims}))
