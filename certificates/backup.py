"""The keys a certificate's proof depends on, as fingerprints for the backup's manifest
(``portal.ops.backup_keys``): a restore onto an installation without them warns before a genuine
certificate stops verifying."""

import hashlib
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.conf import settings

from . import keys

CONSEQUENCES = {
    "seal": (
        "Das Siegel (Vertrauensanker und Name des Siegelzertifikats) ist ein anderes: gesiegelte "
        "Zertifikate aus der Sicherung hießen auf der Prüfseite „Das Siegel stammt nicht von der "
        "ausstellenden Stelle dieses Portals“. SEAL_* auf die Dateien der Sicherung richten."
    ),
    "credential": (
        "Ein Signaturschlüssel der Nachweise fehlt: Nachweise aus der Sicherung verifizierten nicht "
        "mehr. Den alten Schlüssel als OB_SIGNING_KEY_FILE oder (öffentlicher Teil genügt) in "
        "OB_RETIRED_KEY_FILES einrichten."
    ),
}


def _dev_key(name: str) -> Path | None:
    path = Path(settings.CERTIFICATE_DEV_KEY_DIR) / name
    return path if not settings.PRODUCTION and path.exists() else None


def _pem_certs(path: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def _seal_subject_and_roots() -> tuple[bytes, list[bytes]]:
    material = keys.seal_material()
    if material.pkcs12_file:
        loaded = pkcs12.load_pkcs12(Path(material.pkcs12_file).read_bytes(), material.pkcs12_password)
        cert = loaded.cert.certificate
    else:
        cert = _pem_certs(material.cert_file)[0]
    roots = [root for path in material.trust_root_files for root in _pem_certs(path)] or [cert]
    return cert.subject.public_bytes(), sorted(root.public_bytes(Encoding.DER) for root in roots)


def key_fingerprints() -> dict[str, list[str]]:
    """What verification of a stored certificate rests on: the seal's subject under its trust
    anchors, and every credential key id (current and retired). A key that is neither configured
    nor already generated in development is left out: nothing is generated for a backup."""
    fingerprints = {}
    if keys.sealing_on() and (keys.seal_configured() or _dev_key("seal-cert.pem")):
        subject, roots = _seal_subject_and_roots()
        fingerprints["seal"] = [hashlib.sha256(b"".join([subject, *roots])).hexdigest()[:16]]
    if settings.OB_SIGNING_KEY_FILE or _dev_key("credential-key.pem"):
        fingerprints["credential"] = list(keys.verification_keys())
    return fingerprints
