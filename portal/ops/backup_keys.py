"""What a backup records about the installation it came from, so that a restore can tell in
advance whether the restored data will still work: the release, and the fingerprints of the keys
the data depends on.

A backup holds no key. The keys live outside it, each backed up by the operator separately and
encrypted (README, "Betrieb"). The manifest holds only fingerprints:

- ``django_secret_key``: ``DJANGO_SECRET_KEY`` encrypts the text of queued mails that carry a
  one-time link; another key cannot open them (``SECRET_KEY_FALLBACKS`` are accepted);
- ``evaluation_pseudonym_key``: another key gives every person a new pseudonym in the evaluation's
  exports, so waves no longer join up;
- whatever the apps' ``backup`` modules add (``portal.hooks``), e.g. the seal's trust anchors and
  subject and the credential signing keys, current and retired: without them a genuine
  certificate no longer verifies on the restored installation.

A secret's fingerprint is an HMAC of a fixed label under the secret, cut to 64 bits: it tells
two keys apart and gives nothing to start a guess from but the key itself.
"""

import hashlib
import hmac
import os
import subprocess
from importlib import metadata

from django.conf import settings

from portal import hooks

# What breaks when a key of the backup is not configured on the restoring installation.
CONSEQUENCES = {
    "django_secret_key": (
        "DJANGO_SECRET_KEY ist ein anderer: noch nicht versandte E-Mails mit Einmal-Link lassen sich "
        "nicht mehr öffnen. Den alten Schlüssel als DJANGO_SECRET_KEY oder in SECRET_KEY_FALLBACKS setzen."
    ),
    "evaluation_pseudonym_key": (
        "EVALUATION_PSEUDONYM_KEY ist ein anderer: die Evaluation bekäme neue Pseudonyme, frühere "
        "Befragungswellen ließen sich nicht mehr verbinden."
    ),
}


def secret_fingerprint(name: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"portal-backup-key:{name}".encode(), hashlib.sha256).hexdigest()[:16]


def key_fingerprints() -> dict[str, list[str]]:
    """Every key's accepted fingerprints on this installation (the current key first)."""
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    fingerprints = {
        "django_secret_key": [secret_fingerprint("django_secret_key", key) for key in secret_keys],
        "evaluation_pseudonym_key": [
            secret_fingerprint("evaluation_pseudonym_key", settings.EVALUATION_PSEUDONYM_KEY)
        ],
    }
    for module in hooks.app_modules("backup"):
        fingerprints.update(module.key_fingerprints())
    return fingerprints


def recorded_fingerprints() -> dict[str, list[str]]:
    """What the manifest keeps: the keys the data was written with. Of ``DJANGO_SECRET_KEY`` only
    the current key (fallbacks are only read, never written with)."""
    fingerprints = key_fingerprints()
    fingerprints["django_secret_key"] = fingerprints["django_secret_key"][:1]
    return fingerprints


def key_mismatches(recorded: dict[str, list[str]]) -> list[str]:
    """Warnings, one per key of the backup that this installation does not have."""
    current = key_fingerprints()
    consequences = dict(CONSEQUENCES)
    for module in hooks.app_modules("backup"):
        consequences.update(getattr(module, "CONSEQUENCES", {}))
    warnings = []
    for name, needed in sorted(recorded.items()):
        if set(needed) - set(current.get(name, [])):
            warnings.append(consequences.get(name, f"Schlüssel {name} ist ein anderer als in der Sicherung."))
    return warnings


def release() -> dict[str, str]:
    """The release the backup was written by: the package version and the commit (from
    ``PORTAL_RELEASE``, set when the image is built, else from git, else "unbekannt")."""
    try:
        version = metadata.version("smart-city-manager-portal")
    except metadata.PackageNotFoundError:
        import tomllib

        version = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]["version"]
    commit = os.environ.get("PORTAL_RELEASE", "")
    if not commit:
        try:
            commit = subprocess.run(  # noqa: S603
                ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],  # noqa: S607
                capture_output=True,
                text=True,
                timeout=5,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit = "unbekannt"
    return {"version": version, "commit": commit}
