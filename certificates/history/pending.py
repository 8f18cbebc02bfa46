"""A file between its dry run and its confirmation: kept in private storage under a random name
(never the uploaded one), checked by its SHA-256 when confirmed, and deleted then."""

import hashlib
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

FOLDER = "private/history-imports"


def keep(content: bytes) -> str:
    token = secrets.token_urlsafe(24)
    default_storage.save(f"{FOLDER}/{token}", ContentFile(content))
    return token


def take(token: str, sha256: str) -> bytes | None:
    """The kept file if it is still there and unchanged; None otherwise."""
    name = f"{FOLDER}/{token}"
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as stored:
        content = stored.read()
    return content if hashlib.sha256(content).hexdigest() == sha256 else None


def forget(token: str) -> None:
    default_storage.delete(f"{FOLDER}/{token}")
