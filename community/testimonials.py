"""Testimonials ("Eindrücke von Teilnehmenden") and the start page's section.

A participant or graduate writes up to 600 characters and consents to their publication; the
consent is kept with its date, the version and the very text they agreed to. A coordinator
approves it (an audited moderation step, the author is told). Withdrawing deletes it at once.

The start page's section (approved statements and the towns the programme reached, by district)
is cached and dropped whenever a statement or a project's publication changes, so the public
page costs no query of this app while nothing changes.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.models import Enrollment
from cohorts.selectors import current_enrollment, programme_slug
from portal.accounts.models import User
from portal.models import Municipality

from .access import member_ids
from .models import ModerationEvent, Project, Testimonial
from .services import tell

CONSENT_VERSION = "2026-12"
CONSENT_TEXT = gettext_lazy(
    "Ich willige ein, dass das Programm „Smart City Manager:in“ meinen Eindruck auf der öffentlichen "
    "Startseite des Portals zeigt, mit meinem Namen oder nur mit Kommune und Durchgang, wie ich es "
    "gewählt habe. Ich kann die Einwilligung jederzeit widerrufen; der Eindruck verschwindet dann sofort."
)
LANDING_KEY = "community:landing:v1"
LANDING_TIMEOUT = 5 * 60
LANDING_STATEMENTS = 6


def drop_landing_cache() -> None:
    """Drop the section now, and again once the change commits (a page built meanwhile from
    the old data must not stay cached)."""
    cache.delete(LANDING_KEY)
    transaction.on_commit(lambda: cache.delete(LANDING_KEY))


def submit(
    *, author: User, text: str, show_name: bool, consent: bool, at: dt.datetime | None = None
) -> Testimonial:
    """Write or rewrite one's statement; it waits for approval again."""
    at = at or timezone.now()
    if not consent:
        raise ValidationError(_("Ohne Ihre Einwilligung können wir den Eindruck nicht zeigen."))
    enrollment = current_enrollment(author)
    if enrollment is None or enrollment.municipality_id is None:
        raise PermissionDenied
    with transaction.atomic():
        testimonial, _created = Testimonial.objects.update_or_create(
            author=author,
            defaults={
                "text": text.strip(),
                "show_name": show_name,
                "municipality_id": enrollment.municipality_id,
                "cohort_id": enrollment.cohort_id,
                "consent_at": at,
                "consent_version": CONSENT_VERSION,
                "consent_text": str(CONSENT_TEXT),
                "state": Testimonial.State.PENDING,
                "decided_by": None,
                "decided_at": None,
            },
        )
        drop_landing_cache()
    return testimonial


def withdraw(*, author: User) -> bool:
    with transaction.atomic():
        deleted, _by_model = Testimonial.objects.filter(author=author).delete()
        drop_landing_cache()
    return bool(deleted)


def decide(
    *,
    moderator: User,
    testimonial: Testimonial,
    approve: bool,
    at: dt.datetime | None = None,
    notify: bool = True,
) -> None:
    """A moderator approves or declines a statement; the author is told by mail (``notify``:
    only the demo data, made up, stays silent)."""
    at = at or timezone.now()
    with transaction.atomic():
        testimonial = (
            Testimonial.objects.select_for_update(of=("self",))
            .select_related("author")
            .get(pk=testimonial.pk)
        )
        if testimonial.state != Testimonial.State.PENDING:
            raise ValidationError(_("Über diesen Eindruck ist bereits entschieden."))
        testimonial.state = Testimonial.State.APPROVED if approve else Testimonial.State.DECLINED
        testimonial.decided_by, testimonial.decided_at = moderator, at
        testimonial.save(update_fields=["state", "decided_by", "decided_at"])
        action = (
            ModerationEvent.Action.APPROVE_TESTIMONIAL
            if approve
            else ModerationEvent.Action.DECLINE_TESTIMONIAL
        )
        event = ModerationEvent.objects.create(
            action=action,
            actor=moderator,
            subject=testimonial.author,
            target_model="community.testimonial",
            target_id=testimonial.pk,
            at=at,
        )
        if notify:
            tell(
                testimonial.author,
                template="testimonial_decided",
                context={"approved": approve},
                kind="community-testimonial",
                key=f"community-testimonial:{event.pk}",
            )
        drop_landing_cache()


# --- Reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    text: str
    name: str
    municipality: str
    cohort_title: str
    cohort_title_en: str


@dataclass(frozen=True)
class Town:
    pk: int
    name: str
    statements: int
    projects: int


@dataclass(frozen=True)
class LandingSection:
    statements: list[Statement]
    districts: list[tuple[str, list[Town]]]


def approved():
    return Testimonial.objects.filter(state=Testimonial.State.APPROVED, author__in=member_ids())


def statement(testimonial: Testimonial) -> Statement:
    return Statement(
        text=testimonial.text,
        name=testimonial.author.get_full_name() if testimonial.show_name else "",
        municipality=testimonial.municipality.name,
        cohort_title=testimonial.cohort.title,
        cohort_title_en=testimonial.cohort.title_en,
    )


def _compute() -> LandingSection:
    statements = [
        statement(t)
        for t in approved()
        .filter(cohort__programme__slug=programme_slug())
        .select_related("author", "municipality", "cohort")
        .order_by("-decided_at", "-pk")[:LANDING_STATEMENTS]
    ]
    # The portal's own programme's towns: another operator's programme may share the database.
    reached = (
        Enrollment.objects.confirmed()
        .filter(cohort__programme__slug=programme_slug())
        .values("municipality_id")
    )
    towns = (
        Municipality.objects.filter(pk__in=reached)
        .annotate(
            statement_count=Count(
                "community_testimonials", filter=Q(community_testimonials__in=approved()), distinct=True
            ),
            project_count=Count(
                "community_projects",
                filter=Q(
                    community_projects__publication=Project.Publication.PUBLIC,
                    community_projects__author__in=member_ids(),
                ),
                distinct=True,
            ),
        )
        .order_by("district", "name")
    )
    districts: dict[str, list[Town]] = {}
    for town in towns:
        districts.setdefault(town.district, []).append(
            Town(pk=town.pk, name=town.name, statements=town.statement_count, projects=town.project_count)
        )
    return LandingSection(statements=statements, districts=list(districts.items()))


def landing_section() -> LandingSection:
    """Approved statements and the towns reached, by district: cached (two queries on a miss)."""
    return cache.get_or_set(LANDING_KEY, _compute, LANDING_TIMEOUT)


def town_page(pk: int):
    """A reached town's approved statements and public projects, or None for any other town."""
    town = Municipality.objects.filter(
        pk=pk, pk__in=Enrollment.objects.confirmed().values("municipality_id")
    ).first()
    if town is None:
        return None
    statements = [
        statement(t)
        for t in approved()
        .filter(municipality=town)
        .select_related("author", "municipality", "cohort")
        .order_by("-decided_at")
    ]
    projects = list(
        Project.objects.filter(
            municipality=town, publication=Project.Publication.PUBLIC, draft=False, author__in=member_ids()
        ).order_by("-approved_at")
    )
    return town, statements, projects
