"""Certificates that prove themselves: a PAdES seal on the PDF and an Open Badges 3.0 credential
(VC-JWT, RS256), read from the environment. ``config.settings`` takes these names from here.

Without configured keys a development installation generates a test seal ("Testsiegel – nicht
gültig") and a test signing key once into CERTIFICATE_DEV_KEY_DIR; production refuses to issue
certificates without a configured seal and signing key, unless CERTIFICATE_SEALING=off switches
the seal off explicitly.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def settings(env, *, base_dir: Path, operator: dict) -> dict:
    """The certificate settings, by name."""
    sealing = env.str("CERTIFICATE_SEALING", default="on")
    if sealing not in {"on", "off"}:
        raise ImproperlyConfigured("CERTIFICATE_SEALING must be 'on' or 'off'.")
    return {
        "CERTIFICATE_SEALING": sealing,
        "CERTIFICATE_DEV_KEY_DIR": Path(
            env.str("CERTIFICATE_DEV_KEY_DIR", default=str(base_dir / ".dev-keys"))
        ),
        # The operator's seal: a PKCS#12 file (with its password in a secret file), or a PEM key
        # with its certificate and chain.
        "SEAL_PKCS12_FILE": env.str("SEAL_PKCS12_FILE", default=""),
        "SEAL_PKCS12_PASSWORD_FILE": env.str("SEAL_PKCS12_PASSWORD_FILE", default=""),
        "SEAL_KEY_FILE": env.str("SEAL_KEY_FILE", default=""),
        "SEAL_CERT_FILE": env.str("SEAL_CERT_FILE", default=""),
        "SEAL_CHAIN_FILE": env.str("SEAL_CHAIN_FILE", default=""),
        # The roots the verification page trusts for seals (PEM bundle); by default the top of the chain.
        "SEAL_TRUST_ROOTS_FILE": env.str("SEAL_TRUST_ROOTS_FILE", default=""),
        # An RFC 3161 timestamp server turns the seal from PAdES B-B into B-T.
        "SEAL_TSA_URL": env.str("SEAL_TSA_URL", default=""),
        # The roots (PEM bundle) a signature timestamp's authority must chain to before the
        # verification page calls the time of sealing proven; empty: no timestamp counts.
        "SEAL_TSA_TRUST_ROOTS_FILE": env.str("SEAL_TSA_TRUST_ROOTS_FILE", default=""),
        # The credential's signing key (PEM, RSA for RS256) and earlier keys whose public halves
        # stay in the published JWKS, so credentials signed before a rotation still verify.
        "OB_SIGNING_KEY_FILE": env.str("OB_SIGNING_KEY_FILE", default=""),
        "OB_RETIRED_KEY_FILES": env.list("OB_RETIRED_KEY_FILES", default=[]),
        # Empty: the operator's name and unit (its texts) and the portal's address.
        "OB_ISSUER_NAME": env.str("OB_ISSUER_NAME", default=""),
        "OB_ISSUER_URL": env.str("OB_ISSUER_URL", default=""),
    }
