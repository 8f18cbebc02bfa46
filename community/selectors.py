"""The group's reads, with query counts that do not grow with the rows."""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from cohorts.models import Enrollment
from cohorts.selectors import programme_municipalities
from modules.models import Material, TaskSubmission

from .access import member_ids
from .models import DirectoryEntry, Post, Project, Report, Thread, Watch

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


# --- Projects -------------------------------------------------------------------------------

PROJECT_PAGE_SIZE = 20


@dataclass(frozen=True)
class ProjectCard:
    pk: int
    title: str
    summary: str
    status: str
    status_label: str
    municipality: str
    district: str
    topics: list[str]
    tags: list[str]
    public: bool


@dataclass(frozen=True)
class ProjectPage:
    page: Page
    cards: list[ProjectCard]


def _card(project: Project) -> ProjectCard:
    return ProjectCard(
        pk=project.pk,
        title=project.title,
        summary=project.summary,
        status=project.status,
        status_label=project.get_status_display(),
        municipality=project.municipality.name,
        district=project.municipality.district,
        topics=[m.localized_title for m in sorted(project.modules.all(), key=lambda m: m.position)],
        tags=list(project.tags),
        public=project.publication == Project.Publication.PUBLIC,
    )


def shared_projects():
    """Projects every member sees: not drafts, by authors who are members now."""
    return Project.objects.filter(draft=False, author__in=member_ids())


def projects(filters: dict, page_number, *, per_page: int = PROJECT_PAGE_SIZE) -> ProjectPage:
    """One page of the projects, filtered: count, page and topics (three queries)."""
    found = shared_projects().select_related("municipality")
    text = filters.get("q")
    if text:
        found = found.filter(
            Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(lessons__icontains=text)
            | Q(tags__icontains=text)
        )
    if filters.get("module"):
        found = found.filter(modules=filters["module"])
    if filters.get("district"):
        found = found.filter(municipality__district=filters["district"])
    if filters.get("status"):
        found = found.filter(status=filters["status"])
    found = found.order_by("-updated_at", "-pk").prefetch_related("modules")
    page = Paginator(found, per_page).get_page(page_number)
    return ProjectPage(page=page, cards=[_card(project) for project in page])


def visible_project(pk: int, user) -> Project | None:
    """A project the member may read: shared, or their own draft; with its files and topics."""
    return (
        Project.objects.filter(Q(pk__in=shared_projects().values("pk")) | Q(author=user, draft=True), pk=pk)
        .select_related("municipality", "author")
        .prefetch_related("modules", "files")
        .first()
    )


def own_project(pk: int, user) -> Project | None:
    return Project.objects.filter(pk=pk, author=user).prefetch_related("modules", "files").first()


def public_project(pk: int) -> Project | None:
    """A project on the public page: approved, its author still a member."""
    return (
        shared_projects()
        .filter(pk=pk, publication=Project.Publication.PUBLIC)
        .select_related("municipality")
        .prefetch_related("modules")
        .first()
    )


def public_projects(*, limit: int | None = None):
    found = (
        shared_projects()
        .filter(publication=Project.Publication.PUBLIC)
        .select_related("municipality")
        .order_by("-approved_at", "-pk")
    )
    return found[:limit] if limit else found


def proposed_projects():
    return (
        shared_projects()
        .filter(publication=Project.Publication.PROPOSED)
        .select_related("municipality", "author")
        .order_by("updated_at")
    )


def my_projects(user):
    return Project.objects.filter(author=user).select_related("municipality").order_by("-updated_at")


def convertible_tasks(user):
    """The member's accepted practical tasks that are not a project yet."""
    return (
        TaskSubmission.objects.filter(
            enrollment__user=user,
            enrollment__state=Enrollment.State.CONFIRMED,
            state=TaskSubmission.State.ACCEPTED,
            kind=TaskSubmission.Kind.TASK,
            community_project__isnull=True,
        )
        .select_related("module", "enrollment__cohort")
        .order_by("module__position")
    )


# --- Exchange -------------------------------------------------------------------------------

THREAD_PAGE_SIZE = 25


@dataclass(frozen=True)
class ThreadRow:
    pk: int
    title: str
    topic: str
    author: str
    replies: int
    last_post_at: dt.datetime
    locked: bool


def threads(module, page_number, *, per_page: int = THREAD_PAGE_SIZE):
    """One page of threads, newest activity first, with their reply counts (two queries). Each
    count is a subquery per thread on the page (index on thread and time), not a join of every
    post of the network grouped by thread."""
    posts = Post.objects.filter(thread=OuterRef("pk")).order_by().values("thread").annotate(n=Count("pk"))
    found = Thread.objects.select_related("module", "author").annotate(
        post_count=Coalesce(Subquery(posts.values("n")), 0)
    )
    if module is not None:
        found = found.filter(module=module)
    page = Paginator(found.order_by("-last_post_at", "-pk"), per_page).get_page(page_number)
    rows = [
        ThreadRow(
            pk=t.pk,
            title=t.title,
            topic=t.module.localized_title if t.module else "",
            author=t.author.get_full_name() if t.author else "",
            replies=max(t.post_count - 1, 0),
            last_post_at=t.last_post_at,
            locked=t.locked,
        )
        for t in page
    ]
    return page, rows


def thread_page(pk: int, user):
    """A thread with every post and its author, whether the member watches it, and the posts
    the member reported (four queries however many replies)."""
    thread = Thread.objects.select_related("module", "author").filter(pk=pk).first()
    if thread is None:
        return None
    posts = list(
        Post.objects.filter(thread=thread)
        .select_related("author")
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .order_by("created_at", "pk")
    )
    watching = Watch.objects.filter(thread=thread, user=user).exists()
    reported = set(
        Report.objects.filter(post__thread=thread, reporter=user).values_list("post_id", flat=True)
    )
    return ThreadPage(thread=thread, posts=posts, watching=watching, reported=reported)


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    posts: list
    watching: bool
    reported: set


def open_reports():
    """Visible posts with reports the moderation has not settled, with their count."""
    return (
        Post.objects.filter(
            pk__in=Report.objects.filter(resolved_at__isnull=True).values("post_id"), hidden=False
        )
        .select_related("thread", "author")
        .annotate(report_count=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .order_by("created_at")
    )


# --- Materials of every cohort --------------------------------------------------------------


def materials(user):
    """Every cohort's materials a member may read: all but those kept to their own cohort,
    and those of the member's own cohorts (one query)."""
    own_cohorts = Enrollment.objects.confirmed().filter(user=user).values("cohort_id")
    return (
        Material.objects.filter(Q(own_cohort_only=False) | Q(cohort_id__in=own_cohorts))
        .select_related("module", "cohort")
        .order_by("module__position", F("cohort__number").asc(nulls_first=True), "title", "pk")
    )
