"""Writes of the certificates app: issuing, rendering, translating, revoking and reissuing.
The reads (eligibility, verification) are in ``selectors``.

Leases: the database holds the intent, the broker only carries it. A pending certificate is the
durable record of a rendering still to do. Handing it to the worker records when (``queued_at``);
a worker that begins rendering claims it (``claimed_at``, one claim at a time per lease), so two
deliveries of the same task never render twice. The sweeper (beat, every minute) hands on again
every pending certificate whose hand-over and claim are both older than the lease
(``PORTAL_WORK_LEASE_SECONDS``): a worker killed mid-render or a Redis that came back empty
strands nothing. The lease is longer than a rendering may run (its time limit), so a claim
expires only when its worker is gone. A certificate begun ``MAX_RENDER_ATTEMPTS`` times and never
finished fails with the reason, so that it cannot kill workers for ever; the coordinator sees it
and can start it again ("erneut anstoßen").
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Enrollment
from cohorts.selectors import can_coordinate
from portal.accounts.models import User
from portal.mail import enqueue, queue_templated_mail
from portal.pdf.fonts import unprintable_characters, unprintable_message

from .batch import batches, proven_pdf, render_one
from .batch import record_failure as record_failure  # a write of this module too (tasks, tests)
from .models import Certificate
from .selectors import eligible_enrollments, is_stuck
from .tasks import render_certificate, render_certificate_translation, render_certificates

logger = logging.getLogger(__name__)

# Renderings begun and never finished before a certificate fails with the reason.
MAX_RENDER_ATTEMPTS = 5


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS)


def _send_to_worker(certificate_ids: list[int]) -> None:
    try:
        if len(certificate_ids) == 1:
            render_certificate.delay(certificate_ids[0])
        else:
            render_certificates.delay(certificate_ids)
    except Exception:
        # The broker is unreachable. The certificates stay pending; the sweeper hands them on later.
        logger.warning("Could not enqueue certificates %s; the sweeper will", certificate_ids, exc_info=True)


def _hand_over(certificate_ids: list[int], *, at: dt.datetime) -> None:
    """Record the hand-over and queue the renderings, in batches, once the transaction has
    committed."""
    Certificate.objects.filter(pk__in=certificate_ids).update(queued_at=at)
    for batch in batches(sorted(certificate_ids)):
        transaction.on_commit(lambda batch=batch: _send_to_worker(batch))


def _require_coordinator(user: User, cohort: Cohort) -> None:
    if not can_coordinate(user, cohort):
        raise ValidationError(_("Sie koordinieren diesen Schulungsdurchgang nicht."), code="permission")


def _require_keys() -> None:
    """Production issues no certificate that could not prove itself."""
    from .keys import missing_keys

    if missing_keys():
        raise ValidationError(
            _(
                "Zertifikate können erst ausgestellt werden, wenn das Siegel und der Signaturschlüssel "
                "der ausstellenden Stelle eingerichtet sind. Bitte wenden Sie sich an den Betrieb."
            ),
            code="keys",
        )


def _new_certificate(
    cohort: Cohort, enrollment: Enrollment, *, by: User | None, at: dt.datetime, sequence: int, language: str
) -> Certificate:
    """A new certificate, pending its rendering; or, where the name cannot be printed, one that
    failed with the reason (the others of the cohort are issued all the same)."""
    certificate = Certificate(
        enrollment=enrollment,
        cohort=cohort,
        sequence=sequence,
        number=f"{cohort.programme.reference_prefix}-{cohort.end_date.year}-{cohort.number}-{sequence:04d}",
        language=language,
        holder_name=enrollment.user.get_full_name() or enrollment.user.email,
        municipality_name=enrollment.municipality.name if enrollment.municipality_id else "",
        programme_title=cohort.programme.title,
        cohort_title=cohort.title,
        cohort_title_en=cohort.title_en,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=timezone.localdate(at),
        issued_by=by,
    )
    missing = unprintable_characters(certificate.holder_name + certificate.municipality_name)
    if missing:
        certificate.status = Certificate.Status.FAILED
        certificate.render_error = unprintable_message(missing)
    certificate.save()
    return certificate


def issue_certificates(
    *,
    cohort: Cohort,
    by: User,
    at: dt.datetime,
    enrollment_ids: list[int] | None = None,
    language: str | None = None,
) -> list[Certificate]:
    """Issue certificates to eligible participants of a cohort (all, or the given ones).

    The cohort row is locked, so issuing the same cohort twice at once yields one certificate
    per participant and gapless numbers. Rendering and mailing follow in a task after commit.
    A participant whose name cannot be printed gets a failed certificate with the reason, shown
    to the coordinator; it blocks nobody else (reissue it once the name is corrected).
    """
    _require_coordinator(by, cohort)
    _require_keys()

    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
        eligible = eligible_enrollments(cohort)
        if enrollment_ids is not None:
            chosen = set(enrollment_ids)
            eligible = [e for e in eligible if e.pk in chosen]
        last = Certificate.objects.filter(cohort=cohort).aggregate(last=Max("sequence"))["last"] or 0
        issued = []
        for offset, enrollment in enumerate(eligible, start=1):
            certificate = _new_certificate(
                cohort,
                enrollment,
                by=by,
                at=at,
                sequence=last + offset,
                language=language or enrollment.user.language or "de",
            )
            issued.append(certificate)
        _hand_over([c.pk for c in issued if c.status == Certificate.Status.PENDING], at=at)
    return issued


def store_rendering(*, certificate_id: int, at: dt.datetime) -> Certificate:
    """Render, store and mail one certificate, once (see ``batch``)."""
    certificate = Certificate.objects.select_related("cohort__programme", "enrollment__user").get(
        pk=certificate_id
    )
    mail = render_one(certificate, at=at)
    if mail is not None:
        enqueue([mail])
    certificate.refresh_from_db()
    return certificate


def store_translation(*, certificate_id: int) -> Certificate:
    """Render the certificate in its other language (same number and code), once."""
    from .render import render_certificate_pdf

    certificate = Certificate.objects.select_related("cohort__programme").get(pk=certificate_id)
    if certificate.translation_pdf or certificate.status != Certificate.Status.ISSUED:
        return certificate
    pdf, _digest = render_certificate_pdf(certificate, certificate.translation_language)
    pdf, digest = proven_pdf(certificate, pdf, at=timezone.now())
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate_id)
        if not locked.translation_pdf:
            locked.translation_pdf.save(
                f"{locked.number}-{locked.translation_language}.pdf", ContentFile(pdf), save=False
            )
            locked.translation_sha256 = digest
            locked.save(update_fields=["translation_pdf", "translation_sha256"])
    return locked


def request_translation(*, certificate: Certificate, user: User) -> None:
    if certificate.enrollment.user_id != user.pk or certificate.status != Certificate.Status.ISSUED:
        raise ValidationError(_("Für dieses Zertifikat ist keine Übersetzung möglich."), code="translation")
    transaction.on_commit(lambda: render_certificate_translation.delay(certificate.pk))


def sweep_pending(*, now: dt.datetime, limit: int = 500) -> dict[str, int]:
    """Hand on again every pending certificate whose hand-over and claim are older than the lease
    (see "Leases" above); fail those begun too often. Safe to run twice at once: the rows are
    locked, and a certificate handed over twice is still rendered and mailed once."""
    stale = now - lease()
    with transaction.atomic():
        due = list(
            Certificate.objects.select_for_update(skip_locked=True)
            .filter(status=Certificate.Status.PENDING)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=stale))
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lte=stale))
            .order_by("queued_at", "pk")
            .values_list("pk", "render_attempts")[:limit]
        )
        worn = [pk for pk, attempts in due if attempts >= MAX_RENDER_ATTEMPTS]
        Certificate.objects.filter(pk__in=worn).update(
            status=Certificate.Status.FAILED,
            render_error=_("Die Erstellung wurde %(count)s-mal begonnen und nie beendet.")
            % {"count": MAX_RENDER_ATTEMPTS},
        )
        again = [pk for pk, attempts in due if attempts < MAX_RENDER_ATTEMPTS]
        _hand_over(again, at=now)
    if again or worn:
        logger.warning(
            "Certificates handed on again: %s; failed after %s attempts: %s", again, MAX_RENDER_ATTEMPTS, worn
        )
    return {"requeued": len(again), "failed": len(worn)}


def start_again(*, certificate: Certificate, by: User, at: dt.datetime) -> Certificate:
    """ "Erneut anstoßen": hand a stuck or failed certificate to the worker again, now, with the
    same number. A certificate a worker is rendering right now is left to it."""
    _require_coordinator(by, certificate.cohort)
    _require_keys()
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == Certificate.Status.FAILED:
            locked.status = Certificate.Status.PENDING
            locked.render_error = ""
            locked.render_attempts = 0
            locked.claimed_at = None
        elif not is_stuck(locked, now=at):
            raise ValidationError(
                _("Das Zertifikat %(number)s wird gerade erstellt oder ist schon fertig.")
                % {"number": locked.number},
                code="not-stuck",
            )
        locked.save(update_fields=["status", "render_error", "render_attempts", "claimed_at"])
        _hand_over([locked.pk], at=at)
    locked.refresh_from_db()
    return locked


def revoke(
    *, certificate: Certificate, reason: str, by: User, at: dt.datetime, notify: bool = True
) -> Certificate:
    """Revoke a certificate with its reason (the change is kept in the audit log) and, with
    ``notify``, tell the holder by mail through the outbox once the revocation is committed."""
    _require_coordinator(by, certificate.cohort)
    if not reason.strip():
        raise ValidationError(_("Bitte geben Sie den Grund des Widerrufs an."), code="reason")
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update().select_related("enrollment__user").get(pk=certificate.pk)
        )
        if certificate.status == Certificate.Status.REVOKED:
            raise ValidationError(_("Dieses Zertifikat ist bereits widerrufen."), code="revoked")
        certificate.status = Certificate.Status.REVOKED
        certificate.revocation_reason = reason.strip()
        certificate.revoked_at = at
        certificate.revoked_by = by
        certificate.save()
        if notify:
            holder = certificate.enrollment.user
            queue_templated_mail(
                template="certificates/revoked",
                context={"certificate": certificate, "user": holder},
                recipient=holder.email,
                user=holder,
                kind="certificate-revoked",
                idempotency_key=f"certificate-revoked:{certificate.pk}",
                related=certificate,
            )
    return certificate


def reissue(*, certificate: Certificate, reason: str, by: User, at: dt.datetime) -> Certificate:
    """Revoke a certificate and issue a new one, with a new number, to the same participant."""
    _require_coordinator(by, certificate.cohort)
    _require_keys()
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=certificate.cohort_id)
        # The holder hears of the new certificate, with its own mail once it is rendered.
        old = revoke(
            certificate=certificate, reason=reason or _("Neu ausgestellt"), by=by, at=at, notify=False
        )
        last = Certificate.objects.filter(cohort=cohort).aggregate(last=Max("sequence"))["last"] or 0
        new = _new_certificate(cohort, old.enrollment, by=by, at=at, sequence=last + 1, language=old.language)
        old.replaced_by = new
        old.save(update_fields=["replaced_by"])
        if new.status == Certificate.Status.PENDING:
            _hand_over([new.pk], at=at)
    return new
