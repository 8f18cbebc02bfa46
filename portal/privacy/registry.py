"""Data protection (DSGVO) across the apps: access and portability, erasure, retention.

The portal knows no other app. Each app describes its own personal data in a ``privacy``
module, found the way ``seed_demo`` finds ``demo`` modules, with any of these functions:

``export(user) -> Export``
    The person's data for Art. 15 and 20 DSGVO, and their files.
``obligations(user, *, at) -> list[Obligation]``
    What must still be kept about the person, and until when (Art. 17 (3) DSGVO).
``restrict(user, *, at)``
    Erasure was requested while obligations remain: minimise what may go now (Art. 18 DSGVO).
``erase(user, *, at)``
    No obligation remains: remove or anonymise everything of the person's in the app.
``kept_after_erasure(user) -> list[str]``
    Records that outlive the account on purpose (the certificate register), for the person to read.
``retention(*, at) -> dict[str, int]``
    The scheduled clean-up of the app's data; returns what it did, for the log.

Erasure and retention run from right to left (certificates first), because records on the
right point to records on the left. The retention period is ``PORTAL_RETENTION_MONTHS`` months
after the end of the cohort the data belongs to.
"""

import datetime as dt
import json
import logging
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal import hooks
from portal.accounts.models import User

logger = logging.getLogger(__name__)

HOOKS = ("export", "obligations", "restrict", "erase", "kept_after_erasure", "retention")


@dataclass(frozen=True)
class ExportFile:
    """A stored file to include in the archive, under ``path`` (built from safe parts)."""

    path: str  # from archive_path()
    name: str  # the file's name in the default storage


@dataclass
class Export:
    """One app's part of the archive: ``<name>.json`` and files below ``dateien/``."""

    name: str
    data: Any
    files: list[ExportFile] = field(default_factory=list)


@dataclass(frozen=True)
class Obligation:
    """Something that must be kept about the person until ``until`` (inclusive)."""

    reason: str
    until: dt.date


@dataclass
class ErasurePlan:
    obligations: list[Obligation]
    kept: list[str]

    @property
    def restricted(self) -> bool:
        return bool(self.obligations)

    @property
    def until(self) -> dt.date | None:
        return max((o.until for o in self.obligations), default=None)


# --- Discovery ------------------------------------------------------------------------------


def privacy_modules() -> tuple[ModuleType, ...]:
    """Every project app's ``privacy`` module that defines a hook, in the order of INSTALLED_APPS
    (left to right), found through ``portal.hooks``."""
    return tuple(
        module for module in hooks.app_modules("privacy") if any(hasattr(module, hook) for hook in HOOKS)
    )


def _hooks(name: str, *, right_to_left: bool = False):
    modules = reversed(privacy_modules()) if right_to_left else privacy_modules()
    return [getattr(module, name) for module in modules if hasattr(module, name)]


# --- Retention periods ----------------------------------------------------------------------


def retention_months() -> int:
    return settings.PORTAL_RETENTION_MONTHS


def retention_ends(cohort_end: dt.date) -> dt.date:
    """The last day on which data of a cohort that ended on ``cohort_end`` must be kept."""
    return cohort_end + relativedelta(months=retention_months())


def retention_cutoff(at: dt.datetime) -> dt.date:
    """Cohorts that ended before this day are past their retention period at ``at``."""
    return timezone.localdate(at) - relativedelta(months=retention_months())


# --- Helpers for the apps -------------------------------------------------------------------


def delete_files_on_commit(names: Iterable[str]) -> int:
    """Delete stored files once the surrounding transaction has committed; a rollback keeps them."""
    names = sorted({name for name in names if name})
    if names:

        def delete():
            for name in names:
                default_storage.delete(name)

        transaction.on_commit(delete)
    return len(names)


def no_audit_log():
    """Erasing must not copy the erased values into the audit log (django-auditlog keeps the
    old value of every changed field); without django-auditlog this does nothing."""
    if apps.is_installed("auditlog"):
        from auditlog.context import disable_auditlog

        return disable_auditlog()
    import contextlib

    return contextlib.nullcontext()


def scrub_audit_log(model, pks: Iterable) -> int:
    """Empty what the audit log recorded about these objects (field values, their names), and
    keep who did what when. Returns the number of entries touched."""
    if not apps.is_installed("auditlog"):
        return 0
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    pks = [str(pk) for pk in pks]
    if not pks:
        return 0
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return LogEntry.objects.filter(content_type=content_type, object_pk__in=pks).update(
        object_repr="", serialized_data=None, changes=None, changes_text="", additional_data=None
    )


def forget_actor_in_audit_log(user: User) -> int:
    """Entries of the person's own actions keep the action, not who it was or their address."""
    if not apps.is_installed("auditlog"):
        return 0
    from auditlog.models import LogEntry

    return LogEntry.objects.filter(actor=user).update(
        actor=None, actor_email="", remote_addr=None, remote_port=None
    )


# --- Art. 15 and 20: the archive ------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_part(text: str, fallback: str = "datei") -> str:
    """One path segment for the archive: no separators, no leading dots, not empty."""
    cleaned = _UNSAFE.sub("_", str(text)).strip(" ._")[:100]
    return cleaned or fallback


def archive_path(*parts: str) -> str:
    """Where a file goes in the archive: below ``dateien/``, every segment made safe."""
    return "/".join(["dateien", *(safe_part(part) for part in parts)])


def collect_exports(user: User) -> list[Export]:
    """Every app's part of the archive; an app's hook returns one Export or a list of them."""
    exports = []
    for hook in _hooks("export"):
        part = hook(user)
        exports.extend(part if isinstance(part, list) else [part])
    return exports


def build_archive(user: User, *, at: dt.datetime):
    """A ZIP with one JSON file per app, the person's files and a German/English read-me.

    Returns an open, rewound temporary file; the caller closes it (FileResponse does).
    """
    exports = collect_exports(user)
    buffer = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 - returned open
    used: set[str] = set()
    missing: list[str] = []
    listed: list[dict] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for export in exports:
            archive.writestr(
                f"{safe_part(export.name)}.json",
                json.dumps(export.data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
        for export in exports:
            for item in export.files:
                path = _unique(archive_path(*item.path.split("/")[1:]), used)
                try:
                    with default_storage.open(item.name, "rb") as source, archive.open(path, "w") as target:
                        shutil.copyfileobj(source, target, 1024 * 1024)
                except OSError:
                    logger.warning("Export for user %s: stored file %s is missing", user.pk, item.name)
                    missing.append(path)
                    continue
                listed.append({"file": path, "section": export.name})
        archive.writestr(
            "uebersicht.json",
            json.dumps(
                {
                    "created_at": at,
                    "account": user.pk,
                    "sections": [f"{safe_part(e.name)}.json" for e in exports],
                    "files": listed,
                    "missing_files": missing,
                    "retention_months": retention_months(),
                },
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
                indent=2,
            ),
        )
        with translation.override(user.language or settings.LANGUAGE_CODE):
            archive.writestr(
                "LIESMICH.txt",
                render_to_string(
                    "portal/privacy_export_readme.txt",
                    {
                        "user": user,
                        "at": at,
                        "exports": exports,
                        "files": listed,
                        "missing": missing,
                        "operator_email": settings.PORTAL_OPERATOR["email"],
                    },
                ),
            )
    buffer.seek(0)
    return buffer


def _unique(path: str, used: set[str]) -> str:
    candidate, number = path, 1
    while candidate in used:
        number += 1
        stem, dot, suffix = path.rpartition(".")
        candidate = f"{stem}-{number}.{suffix}" if dot and "/" not in suffix else f"{path}-{number}"
    used.add(candidate)
    return candidate


# --- Art. 17: erasure -----------------------------------------------------------------------


def erasure_plan(user: User, *, at: dt.datetime) -> ErasurePlan:
    obligations = [o for hook in _hooks("obligations") for o in hook(user, at=at)]
    today = timezone.localdate(at)
    obligations = sorted((o for o in obligations if o.until >= today), key=lambda o: (o.until, o.reason))
    kept = [text for hook in _hooks("kept_after_erasure") for text in hook(user)]
    return ErasurePlan(obligations=obligations, kept=kept)


def erase_account(*, user: User, at: dt.datetime) -> ErasurePlan:
    """The person deletes their account (Art. 17 DSGVO).

    Without obligations everything personal goes now. With obligations the account is locked
    and minimised, marked ``erasure_requested_at``, and the retention job erases it when the
    last obligation has ended. Staff accounts are closed by an administrator, not here.
    """
    user_id = user.pk
    with transaction.atomic(), no_audit_log():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.erased_at:
            return ErasurePlan(obligations=[], kept=[])
        plan = erasure_plan(user, at=at)
        if plan.restricted:
            for hook in _hooks("restrict", right_to_left=True):
                hook(user, at=at)
        else:
            for hook in _hooks("erase", right_to_left=True):
                hook(user, at=at)
    logger.info(
        "Erasure requested by account %s: %s",
        user_id,
        f"restricted until {plan.until.isoformat()}" if plan.restricted else "erased",
    )
    return plan


def _finish_erasure(user_id: int, *, at: dt.datetime) -> bool:
    with transaction.atomic(), no_audit_log():
        user = (
            User.objects.select_for_update()
            .filter(pk=user_id, erasure_requested_at__isnull=False, erased_at__isnull=True)
            .first()
        )
        if user is None or erasure_plan(user, at=at).restricted:
            return False
        for hook in _hooks("erase", right_to_left=True):
            hook(user, at=at)
    return True


# --- Retention ------------------------------------------------------------------------------


def run_retention(*, at: dt.datetime) -> dict[str, int]:
    """Apply every app's retention rules, then erase locked accounts whose obligations ended.

    Safe to run again: what is anonymised or erased is not touched a second time.
    """
    counts: dict[str, int] = {}
    for hook in _hooks("retention", right_to_left=True):
        with transaction.atomic(), no_audit_log():
            for key, value in hook(at=at).items():
                counts[key] = counts.get(key, 0) + value
    erased = failed = 0
    pending = User.objects.filter(erasure_requested_at__isnull=False, erased_at__isnull=True)
    for user_id in pending.values_list("pk", flat=True).order_by("pk"):
        try:
            erased += _finish_erasure(user_id, at=at)
        except Exception:
            # One broken account must not keep the others from being erased; it is retried tomorrow.
            failed += 1
            logger.exception("Retention: could not erase account %s", user_id)
    counts["accounts_erased"] = erased
    if failed:
        counts["accounts_failed"] = failed
    logger.info("Retention run at %s: %s", at.isoformat(), ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts
