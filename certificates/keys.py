"""The keys behind a certificate's own proof: the operator's seal (PAdES) and the credential's
signing key (Open Badges 3.0, RS256).

Production names its keys in settings (files outside the repository, mounted as secrets).
A development installation without them generates, once, a test seal certificate under a test
CA whose names say "Testsiegel – nicht gültig", and a test signing key, into
``CERTIFICATE_DEV_KEY_DIR`` (ignored by git), so the whole path runs from ``make run``. Nothing
that such a key seals or signs verifies anywhere but on that installation.
"""

import base64
import datetime as dt
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TEST_SEAL_NAME = "Testsiegel – nicht gültig"
TEST_CA_NAME = "Testsiegel-CA – nicht gültig"
TEST_ORGANISATION = "Testbetrieb Smart City Manager:in"


class KeysMissing(ImproperlyConfigured):
    """Production has no seal or no signing key configured."""


def seal_configured() -> bool:
    return bool(settings.SEAL_PKCS12_FILE or (settings.SEAL_KEY_FILE and settings.SEAL_CERT_FILE))


def sealing_on() -> bool:
    return settings.CERTIFICATE_SEALING == "on"


def test_seal_in_use() -> bool:
    """Certificates are sealed with the generated development test seal: they print a visible
    "Muster – ohne Gültigkeit" marking."""
    return sealing_on() and not seal_configured() and not settings.PRODUCTION


def missing_keys() -> list[str]:
    """What production lacks to issue certificates (empty when everything is configured)."""
    if not settings.PRODUCTION:
        return []
    missing = []
    if sealing_on() and not seal_configured():
        missing.append("SEAL_PKCS12_FILE or SEAL_KEY_FILE + SEAL_CERT_FILE (or CERTIFICATE_SEALING=off)")
    if not settings.OB_SIGNING_KEY_FILE:
        missing.append("OB_SIGNING_KEY_FILE")
    return missing


# --- Development keys --------------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    os.replace(tmp, path)


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_ORGANISATION),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
        ]
    )


def _key_usage(*, certifies: bool) -> x509.KeyUsage:
    """A CA's key usage (signs certificates and revocation lists) or a seal's (signs documents,
    non-repudiation)."""
    return x509.KeyUsage(
        digital_signature=not certifies,
        content_commitment=not certifies,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certifies,
        crl_sign=certifies,
        encipher_only=False,
        decipher_only=False,
    )


def _test_certificate(subject: x509.Name, issuer: x509.Name, public_key, *, now: dt.datetime):
    """A certificate builder valid for ten years from ``now``, with a random serial number."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
    )


def issue_test_chain(*, seal_name: str, ca_name: str) -> tuple[bytes, bytes, bytes]:
    """A CA and a seal certificate under it (PEM key, PEM seal certificate, PEM CA certificate).
    RSA: an ECDSA seal would be declared as a PDF 2.0 extension (ISO/TS 32002), and certificates
    are PDF/A-3, based on PDF 1.7 (``seal`` keeps 1.7 for configured ECDSA seals as well)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_cert = (
        _test_certificate(_name(ca_name), _name(ca_name), ca_key.public_key(), now=now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(certifies=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    seal_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    seal_cert = (
        _test_certificate(_name(seal_name), ca_cert.subject, seal_key.public_key(), now=now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(certifies=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return _pem_key(seal_key), seal_cert.public_bytes(pem), ca_cert.public_bytes(pem)


def _dev_keys() -> Path:
    """The development key folder, filled once (a lock keeps a worker and the web process from
    generating two different test seals at the same moment)."""
    folder = Path(settings.CERTIFICATE_DEV_KEY_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / "seal-cert.pem").exists():
                key, cert, ca = issue_test_chain(seal_name=TEST_SEAL_NAME, ca_name=TEST_CA_NAME)
                _write_private(folder / "seal-ca.pem", ca)
                _write_private(folder / "seal-key.pem", key)
                _write_private(folder / "seal-cert.pem", cert)
            if not (folder / "credential-key.pem").exists():
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                _write_private(folder / "credential-key.pem", _pem_key(key))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


def _require(missing: str) -> None:
    if settings.PRODUCTION:
        raise KeysMissing(f"{missing} must be configured to issue certificates in production.")


# --- The seal ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealMaterial:
    key_file: str = ""
    cert_file: str = ""
    chain_files: tuple[str, ...] = ()
    pkcs12_file: str = ""
    pkcs12_password: bytes | None = None
    trust_root_files: tuple[str, ...] = ()


def seal_material() -> SealMaterial:
    """Where the seal's key and certificates are (the test seal's in development)."""
    chain = (settings.SEAL_CHAIN_FILE,) if settings.SEAL_CHAIN_FILE else ()
    roots = (settings.SEAL_TRUST_ROOTS_FILE,) if settings.SEAL_TRUST_ROOTS_FILE else chain
    if settings.SEAL_PKCS12_FILE:
        password = None
        if settings.SEAL_PKCS12_PASSWORD_FILE:
            password = Path(settings.SEAL_PKCS12_PASSWORD_FILE).read_bytes().strip()
        return SealMaterial(
            pkcs12_file=settings.SEAL_PKCS12_FILE,
            pkcs12_password=password,
            chain_files=chain,
            trust_root_files=roots,
        )
    if settings.SEAL_KEY_FILE and settings.SEAL_CERT_FILE:
        return SealMaterial(
            key_file=settings.SEAL_KEY_FILE,
            cert_file=settings.SEAL_CERT_FILE,
            chain_files=chain,
            trust_root_files=roots,
        )
    _require("SEAL_PKCS12_FILE or SEAL_KEY_FILE and SEAL_CERT_FILE")
    folder = _dev_keys()
    ca = str(folder / "seal-ca.pem")
    return SealMaterial(
        key_file=str(folder / "seal-key.pem"),
        cert_file=str(folder / "seal-cert.pem"),
        chain_files=(ca,),
        trust_root_files=(ca,),
    )


# --- The credential's signing keys -------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    kid: str  # RFC 7638 thumbprint of the public key
    private_pem: bytes | None
    public_jwk: dict


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public_key) -> dict:
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ImproperlyConfigured("Open Badges credentials are signed with RS256: an RSA key is needed.")
    numbers = public_key.public_numbers()
    jwk = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
    thumbprint = hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()).digest()
    kid = base64.urlsafe_b64encode(thumbprint).rstrip(b"=").decode()
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def _load_key(path: str | Path, *, private: bool) -> SigningKey:
    data = Path(path).read_bytes()
    if b"PRIVATE KEY" in data:
        key = serialization.load_pem_private_key(data, password=None)
        jwk = public_jwk(key.public_key())
        return SigningKey(kid=jwk["kid"], private_pem=data if private else None, public_jwk=jwk)
    if private:
        raise ImproperlyConfigured(f"{path} holds no private key.")
    jwk = public_jwk(serialization.load_pem_public_key(data))
    return SigningKey(kid=jwk["kid"], private_pem=None, public_jwk=jwk)


@cache
def _signing_key(path: str) -> SigningKey:
    return _load_key(path, private=True)


@cache
def _retired_keys(paths: tuple[str, ...]) -> tuple[SigningKey, ...]:
    return tuple(_load_key(path, private=False) for path in paths)


def signing_key() -> SigningKey:
    """The key new credentials and status lists are signed with."""
    path = settings.OB_SIGNING_KEY_FILE
    if not path:
        _require("OB_SIGNING_KEY_FILE")
        path = str(_dev_keys() / "credential-key.pem")
    return _signing_key(path)


def verification_keys() -> dict[str, dict]:
    """Every public key a credential of this portal may be signed with, by kid: the current one
    and the retired ones, so that a rotation leaves earlier credentials verifiable."""
    keys = (signing_key(), *_retired_keys(tuple(settings.OB_RETIRED_KEY_FILES)))
    return {key.kid: key.public_jwk for key in keys}
