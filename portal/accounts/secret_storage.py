"""Secrets of the second factor, encrypted at rest.

allauth stores an authenticator's TOTP secret and the seed of its recovery codes in the
``data`` column of ``mfa_authenticator``, in the clear unless its MFA adapter encrypts them
(``encrypt``/``decrypt``, see ``portal.accounts.adapters.MFAAdapter``). Here they are sealed with
Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from ``SECRET_KEY``; keys in
``SECRET_KEY_FALLBACKS`` still open what they sealed, so a rotated ``SECRET_KEY`` keeps every
second factor working while the old key is listed as a fallback.

A sealed value starts with ``PREFIX``. A value without it is a row written before encryption:
``open_secret`` still reads it, and the data migration ``portal.0016_encrypt_mfa_secrets`` seals
every such row.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet1:"
# The fields of an authenticator's ``data`` that hold a secret.
SECRET_DATA_FIELDS = ("secret", "seed")
SECRET_DATA_LISTS = ("migrated_codes",)


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"portal.mfa-secret:{key}".encode()).digest()))
            for key in keys
        ]
    )


def is_sealed(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal_secret(text: str) -> str:
    if is_sealed(text):
        return text
    return PREFIX + _fernet().encrypt(text.encode()).decode("ascii")


def open_secret(value: str) -> str:
    if not is_sealed(value):
        return value  # written before encryption; sealed by the data migration
    try:
        return _fernet().decrypt(value[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A second-factor secret cannot be decrypted: SECRET_KEY changed without the old key in "
            "SECRET_KEY_FALLBACKS."
        ) from None


def convert_data(data: dict, convert) -> dict:
    """``data`` of an authenticator with each secret passed through ``convert``."""
    data = dict(data or {})
    for name in SECRET_DATA_FIELDS:
        if isinstance(data.get(name), str):
            data[name] = convert(data[name])
    for name in SECRET_DATA_LISTS:
        if isinstance(data.get(name), list):
            data[name] = [convert(value) if isinstance(value, str) else value for value in data[name]]
    return data
