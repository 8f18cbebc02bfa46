"""The one way the ground floor finds what the apps above it add.

Imports point one way: an app may import ``portal``, never the reverse. Where the ground floor must
know something of an app (which mails it sends, which reminders, which personal data it holds,
which demo data it brings), the app offers a module with a fixed name beside its models, and the
ground floor imports it through ``app_modules``:

``mails``
    registers kind labels, worker renderers and who may read which mail
    (``portal.mail.register_kind_label``, ``register_renderer``, ``register_mail_scope``).
``reminders``
    registers reminder rules (``portal.mail.reminders.register``) and the checks right before
    sending.
``privacy``
    defines the data protection hooks ``export``, ``obligations``, ``restrict``, ``erase``,
    ``kept_after_erasure`` and ``retention`` (``portal.privacy.registry``).
``demo``
    defines ``seed(out)``, called by ``manage.py seed_demo``.
``backup``
    defines ``key_fingerprints()`` (the fingerprints of the keys the app's data depends on) and
    ``CONSEQUENCES`` (what breaks without each), for ``portal.ops.backup_keys``.

Only the project's own apps are asked, in the order of ``INSTALLED_APPS``: left to right, the
direction the imports point. Each kind is looked up once per process.
"""

import functools
from importlib import import_module
from pathlib import Path
from types import ModuleType

from django.apps import AppConfig, apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule

KINDS = ("mails", "reminders", "privacy", "demo", "backup")


def project_apps() -> list[AppConfig]:
    """The installed apps that are part of this project (a package at its top level), not
    Django's or a library's."""
    base = Path(settings.BASE_DIR).resolve()
    return [config for config in apps.get_app_configs() if Path(config.path).resolve().parent == base]


@functools.cache
def app_modules(kind: str) -> tuple[ModuleType, ...]:
    """Every project app's module of this kind, imported, from left to right."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of app module: {kind!r} (one of {', '.join(KINDS)})")
    return tuple(
        import_module(f"{config.name}.{kind}")
        for config in project_apps()
        if module_has_submodule(config.module, kind)
    )
