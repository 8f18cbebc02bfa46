"""Rendering certificates in batches: one task takes a share of a cohort's certificates and renders,
stores and mails them one after another, so that what they share is loaded once and the broker is
asked once per batch, not once per certificate.

Per certificate, in this order: its claim (committed on its own, see "Leases" in ``services``), the
credential, the rendering, the embedded credential and the seal; then one transaction stores the
file, marks the certificate issued and records its mail in the outbox, so a certificate is never
issued without its mail, nor mailed twice. The batch's mails are handed to the mail worker
together once the batch is through; a worker that dies before leaves them to the outbox's own
sweep (``flush_due``) after the lease. A certificate that fails ends with its reason or is given
back for a retry of the batch's task, without holding up the others.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.mail import enqueue, queue_templated_mail

from .models import Certificate

logger = logging.getLogger(__name__)

# A task renders at most this many certificates, and a cohort is shared among at least
# MIN_TASKS tasks while it has enough certificates, so that every worker process gets its part.
BATCH_SIZE = 10
MIN_TASKS = 8


def batches(certificate_ids: list[int]) -> list[list[int]]:
    """The certificates in the batches their tasks take."""
    size = max(1, min(BATCH_SIZE, len(certificate_ids) // MIN_TASKS))
    return [certificate_ids[start : start + size] for start in range(0, len(certificate_ids), size)]


def prepare() -> None:
    """Load what every certificate's proof needs (the credential's schema, the signing key, the
    seal) into this process now rather than at its first certificate; a worker process calls this
    when it starts. Keys that are missing are reported by the certificate that needs them."""
    from . import keys, openbadges, seal

    openbadges.schema_errors({})
    try:
        keys.signing_key()
        if keys.sealing_on():
            seal.seal_certificate()
    except Exception:
        logger.warning("The keys for certificates could not be loaded in advance", exc_info=True)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS)


def claim(certificate_id: int, *, at: dt.datetime) -> bool:
    """Begin rendering a pending certificate, unless another worker began within the lease."""
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lte=at - lease())
    return bool(
        Certificate.objects.filter(claimable, pk=certificate_id, status=Certificate.Status.PENDING).update(
            claimed_at=at, render_attempts=F("render_attempts") + 1
        )
    )


def proven_pdf(certificate: Certificate, pdf: bytes, *, at: dt.datetime) -> tuple[bytes, str]:
    """The rendered PDF with the credential embedded and the seal appended, and its SHA-256."""
    from .openbadges import credential_of
    from .proof import prove_pdf

    token = certificate.credential_jwt
    credential = credential_of(token) if token else None
    pdf = prove_pdf(pdf, number=certificate.number, credential=credential, token=token, at=at)
    return pdf, hashlib.sha256(pdf).hexdigest()


def record_failure(*, certificate_id: int, error: str, final: bool) -> None:
    """A rendering failed: it ends with the reason, or its claim is given up for the retry."""
    Certificate.objects.filter(pk=certificate_id).exclude(
        status__in=[Certificate.Status.ISSUED, Certificate.Status.REVOKED]
    ).update(
        render_error=error[:2000],
        status=Certificate.Status.FAILED if final else Certificate.Status.PENDING,
        claimed_at=None,
        queued_at=timezone.now(),
    )


def _queue_ready_mail(certificate: Certificate) -> int:
    """Record the certificate's mail (once: its key is fixed); the caller hands it to the worker."""
    user = certificate.enrollment.user
    message = queue_templated_mail(
        template="certificates/ready",
        context={"certificate": certificate, "user": user},
        recipient=user.email,
        user=user,
        language=certificate.language,
        kind="certificate-ready",
        idempotency_key=f"certificate-ready:{certificate.pk}",
        attachment=certificate.pdf.name,
        attachment_name=f"Zertifikat-{certificate.number}.pdf",
        related=certificate,
        hand_over=False,
    )
    return message.pk


def _render(certificate: Certificate, *, at: dt.datetime) -> bytes:
    """Credential, rendering, embedded credential and seal of a claimed certificate."""
    from .openbadges import build_credential, sign_credential
    from .render import render_certificate_pdf

    credential = build_credential(certificate, email=certificate.enrollment.user.email)
    certificate.credential_id = credential["id"]
    certificate.credential_jwt = sign_credential(credential, at=at)
    pdf, _digest = render_certificate_pdf(certificate)
    return proven_pdf(certificate, pdf, at=at)


STORED_FIELDS = ["pdf", "sha256", "credential_id", "credential_jwt", "status", "rendered_at", "render_error"]


def _store(certificate: Certificate, pdf: bytes, digest: str, *, at: dt.datetime) -> int | None:
    """Store the file, issue the certificate and record its mail, in one transaction; the id of
    the mail, or None for a certificate revoked meanwhile."""
    with transaction.atomic():
        status, stored = (
            Certificate.objects.select_for_update()
            .filter(pk=certificate.pk)
            .values_list("status", "pdf")
            .get()
        )
        if status == Certificate.Status.REVOKED:
            return None
        if status == Certificate.Status.ISSUED and stored:  # another worker was quicker
            certificate.refresh_from_db()
            return _queue_ready_mail(certificate)
        certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(pdf), save=False)
        certificate.sha256 = digest
        certificate.status = Certificate.Status.ISSUED
        certificate.rendered_at = at
        certificate.render_error = ""
        certificate.save(update_fields=STORED_FIELDS)
        return _queue_ready_mail(certificate)


def render_one(certificate: Certificate, *, at: dt.datetime | None = None) -> int | None:
    """Render, store and record the mail of one certificate, once: an issued certificate is not
    rendered again (its mail is recorded, once), one being rendered elsewhere is left alone.
    Returns the mail's id, if there is one to hand over."""
    at = at or timezone.now()
    if certificate.status == Certificate.Status.REVOKED:
        return None
    if certificate.status == Certificate.Status.ISSUED and certificate.pdf:
        return _queue_ready_mail(certificate)
    if not claim(certificate.pk, at=at):
        return None  # another worker renders it right now, or it ended meanwhile
    pdf, digest = _render(certificate, at=at)
    return _store(certificate, pdf, digest, at=at)


@dataclass
class Outcome:
    """What became of a batch: each certificate's status, and those to try again."""

    statuses: dict[int, str] = field(default_factory=dict)
    retry: list[int] = field(default_factory=list)


def _loaded(certificate_ids: list[int]) -> list[Certificate]:
    found = Certificate.objects.select_related("cohort__programme", "enrollment__user").in_bulk(
        certificate_ids
    )
    return [found[pk] for pk in certificate_ids if pk in found]


def render_batch(certificate_ids: list[int], *, final: bool, at: dt.datetime | None = None) -> Outcome:
    """Render, store and mail the certificates one after another (see above). A name that cannot
    be printed fails at once with its reason; any other error fails the certificate with its
    reason when ``final``, and otherwise gives it back for the task's retry."""
    from .render import CertificateRefused

    outcome, mails = Outcome(), []
    certificates = _loaded(certificate_ids)
    try:
        for index, certificate in enumerate(certificates):
            pk = certificate.pk
            try:
                mail = render_one(certificate, at=at)
            except CertificateRefused as exc:  # the name itself: trying again would not help
                record_failure(certificate_id=pk, error=str(exc), final=True)
                logger.warning("Certificate %s refused: %s", pk, exc)
            except SoftTimeLimitExceeded:
                # Out of time: this one and the rest go back to the retry, unfailed.
                record_failure(certificate_id=pk, error="SoftTimeLimitExceeded", final=False)
                outcome.retry += [c.pk for c in certificates[index:]]
                break
            except Exception as exc:
                record_failure(certificate_id=pk, error=f"{type(exc).__name__}: {exc}", final=final)
                if final:
                    logger.exception("Certificate %s could not be rendered", pk)
                else:
                    outcome.retry.append(pk)
            else:
                if mail is not None:
                    mails.append(mail)
    finally:
        enqueue(mails)
    statuses = dict(
        Certificate.objects.filter(pk__in=[c.pk for c in certificates]).values_list("pk", "status")
    )
    outcome.statuses = statuses
    return outcome
