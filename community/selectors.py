"""The group's reads, with query counts that do not grow with the rows."""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q

from cohorts.models import Enrollment
from cohorts.selectors import programme_municipalities

from .access import member_ids
from .models import DirectoryEntry

DIRECTORY_PAGE_SIZE = 25


@dataclass(frozen=True)
class DirectoryRow:
    pk: int
    user_id: int
    name: str
    municipality: str
    district: str
    unit: str
    function: str
    topics: list[str]
    tags: list[str]
    cohorts: list[str]
    contactable: bool


@dataclass(frozen=True)
class DirectoryPage:
    page: Page
    rows: list[DirectoryRow]


def districts() -> list[str]:
    """The districts and district-free towns of the programme's state, in order (one query)."""
    return list(programme_municipalities().order_by("district").values_list("district", flat=True).distinct())


def visible_entries(*, today: dt.date | None = None):
    """Entries of people who are members now; an entry of someone who left the group is not shown."""
    return DirectoryEntry.objects.filter(user__in=member_ids(today=today))


def directory(filters: dict, page_number, *, per_page: int = DIRECTORY_PAGE_SIZE) -> DirectoryPage:
    """One page of the directory, filtered: the count, the page, its topics and cohorts (four queries)."""
    entries = visible_entries().select_related("user", "municipality")
    text = filters.get("q")
    if text:
        entries = entries.filter(
            Q(user__first_name__icontains=text)
            | Q(user__last_name__icontains=text)
            | Q(function__icontains=text)
            | Q(unit__icontains=text)
            | Q(tags__icontains=text)
        )
    if filters.get("district"):
        entries = entries.filter(municipality__district=filters["district"])
    if filters.get("municipality"):
        entries = entries.filter(municipality=filters["municipality"])
    if filters.get("module"):
        entries = entries.filter(modules=filters["module"])
    if filters.get("cohort"):
        entries = entries.filter(
            user__enrollments__cohort=filters["cohort"], user__enrollments__state=Enrollment.State.CONFIRMED
        )
    entries = entries.order_by("user__last_name", "user__first_name", "pk").prefetch_related(
        "modules",
        Prefetch(
            "user__enrollments",
            queryset=Enrollment.objects.confirmed().select_related("cohort").order_by("cohort__number"),
            to_attr="confirmed_enrollments",
        ),
    )
    page = Paginator(entries, per_page).get_page(page_number)
    return DirectoryPage(page=page, rows=[_row(entry) for entry in page])


def _row(entry: DirectoryEntry) -> DirectoryRow:
    return DirectoryRow(
        pk=entry.pk,
        user_id=entry.user_id,
        name=entry.user.get_full_name(),
        municipality=entry.municipality.name,
        district=entry.municipality.district,
        unit=entry.unit,
        function=entry.function,
        topics=[module.localized_title for module in sorted(entry.modules.all(), key=lambda m: m.position)],
        tags=list(entry.tags),
        cohorts=[e.cohort.localized_title for e in entry.user.confirmed_enrollments],
        contactable=entry.contact == DirectoryEntry.Contact.FORM,
    )


def contactable_entry(pk: int) -> DirectoryEntry | None:
    """A visible entry by its id, with its person, or None (a guessed id of an entry that is not
    shown answers like one that does not exist)."""
    return visible_entries().select_related("user", "municipality").filter(pk=pk).first()


def own_entry(user) -> DirectoryEntry | None:
    return DirectoryEntry.objects.filter(user=user).prefetch_related("modules").first()
