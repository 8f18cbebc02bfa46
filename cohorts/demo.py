import datetime as dt
import itertools

from django.utils import timezone

from portal.accounts import roles
from portal.accounts.models import User
from portal.demo import demo_user
from portal.models import Municipality
from portal.operator import demo as second_operator
from portal.operator.defaults import BY_KEY as DEFAULT_TEXTS

from .models import BERLIN, Cohort, Enrollment, Programme

# Towns whose staff took part in the first three cohorts (from the programme page).
PARTICIPATING_AGS = [
    "12070296",
    "12073452",
    "12070424",
    "12068320",
    "12073532",
    "12060052",
    "12065256",
    "12063252",
    "12063036",
    "12063080",
    "12060020",
    "12060181",
    "12064428",
    "12067440",
    "12061433",
    "12061572",
    "12069397",
    "12054000",
    "12069590",
    "12069306",
    "12051000",
    "12069020",
    "12072477",
    "12067481",
    "12067144",
    "12053000",
    "12067120",
    "12066196",
    "12071160",
    "12052000",
    "12071372",
    "12066304",
    "12066112",
    "12062224",
    "12062140",
    "12066176",
]
FIRST_NAMES = [
    "Anna",
    "Jonas",
    "Lea",
    "Paul",
    "Marie",
    "Felix",
    "Sophie",
    "Lukas",
    "Lena",
    "Max",
    "Clara",
    "Noah",
    "Emilia",
    "Elias",
    "Hanna",
    "Ben",
]
LAST_NAMES = [
    "Schulze",
    "Krüger",
    "Lehmann",
    "Neumann",
    "Schröder",
    "Zimmermann",
    "Hoffmann",
    "Wolf",
    "Koch",
    "Richter",
    "Klein",
    "Braun",
    "Hartmann",
    "Lange",
    "Werner",
    "Jäger",
]


def _berlin(year, month, day, hour=0):
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def _historical_cohorts(programme):
    # (number, title, English title, start, end, opens, closes on, participants)
    return [
        (
            1,
            "1. Schulungsdurchgang (4. Quartal 2021)",
            "Cohort 1 (Q4 2021)",
            dt.date(2021, 10, 11),
            dt.date(2021, 12, 17),
            _berlin(2021, 8, 2, 9),
            dt.date(2021, 9, 17),
            15,
        ),
        (
            2,
            "2. Schulungsdurchgang (2. Quartal 2022)",
            "Cohort 2 (Q2 2022)",
            dt.date(2022, 4, 4),
            dt.date(2022, 6, 24),
            _berlin(2022, 2, 1, 9),
            dt.date(2022, 3, 11),
            14,
        ),
        (
            3,
            "3. Schulungsdurchgang (4. Quartal 2022)",
            "Cohort 3 (Q4 2022)",
            dt.date(2022, 10, 24),
            dt.date(2022, 12, 16),
            _berlin(2022, 8, 22, 9),
            dt.date(2022, 10, 4),
            14,
        ),  # plus the demo participant
    ]


def seed(out) -> None:
    programme = _programme()
    _seed_held_cohorts(programme, out)
    _seed_open_cohort(programme, out)
    _seed_second_operator(out)


def _programme() -> Programme:
    programme, _ = Programme.objects.update_or_create(
        slug="smart-city-manager",
        defaults={
            "title": "Smart City Manager:in",
            "reference_prefix": "SCM",
            "summary": DEFAULT_TEXTS["programme.summary"].de,
        },
    )
    return programme


def _seed_held_cohorts(programme: Programme, out) -> None:
    """The three cohorts the programme has run, with their participants from the real towns."""
    municipalities = {m.ags: m for m in Municipality.objects.filter(ags__in=PARTICIPATING_AGS)}
    towns = itertools.cycle([municipalities[ags] for ags in PARTICIPATING_AGS if ags in municipalities])
    names = itertools.cycle(itertools.product(FIRST_NAMES, LAST_NAMES))
    for number, title, title_en, start, end, opens, closes, participants in _historical_cohorts(programme):
        cohort, _ = Cohort.objects.update_or_create(
            programme=programme,
            number=number,
            defaults={
                "title": title,
                "title_en": title_en,
                "start_date": start,
                "end_date": end,
                "applications_open_at": opens,
                "applications_close_on": closes,
                "seats": 15,
                "review_phase": "closed",
            },
        )
        for index in range(participants):
            first, last = next(names)
            user = demo_user(f"teilnahme-{number}-{index + 1:02d}@example.org", first, last)
            Enrollment.objects.get_or_create(cohort=cohort, user=user, defaults={"municipality": next(towns)})
        if number == 3:
            participant = User.objects.get(email="teilnehmer@example.org")
            participant.groups.add(roles.group(roles.PARTICIPANTS))
            Enrollment.objects.get_or_create(
                cohort=cohort, user=participant, defaults={"municipality": municipalities.get("12054000")}
            )
        out.write(f"  {cohort.title}: {cohort.enrollments.count()} Teilnehmer:innen")


def _seed_open_cohort(programme: Programme, out) -> None:
    """One cohort open for applications now, so that the demo can be applied to."""
    today = timezone.localdate()
    open_cohort = Cohort.objects.filter(programme=programme, number=4).first()
    if open_cohort is None or not open_cohort.accepts_applications(timezone.now()):
        closes = today + dt.timedelta(days=28)
        Cohort.objects.update_or_create(
            programme=programme,
            number=4,
            defaults={
                "title": "4. Schulungsdurchgang",
                "title_en": "Cohort 4",
                "start_date": closes + dt.timedelta(days=28),
                "end_date": closes + dt.timedelta(days=28 + 70),
                "applications_open_at": dt.datetime.combine(
                    today - dt.timedelta(days=14), dt.time(9), tzinfo=BERLIN
                ),
                "applications_close_on": closes,
                "seats": 15,
            },
        )
    # A demo database from before cohorts had English titles gets one too.
    Cohort.objects.filter(programme=programme, number=4, title_en="").update(title_en="Cohort 4")
    open_cohort = Cohort.objects.get(programme=programme, number=4)
    out.write(
        f"  {open_cohort.title}: Bewerbung bis einschließlich {open_cohort.applications_close_on:%d.%m.%Y}"
    )


def _seed_second_operator(out) -> None:
    """Another state's programme with a held and an open cohort, its participants from its own
    (made-up) municipalities; its texts and municipalities come with the portal's demo."""
    programme, _ = Programme.objects.update_or_create(
        slug=second_operator.PROGRAMME_SLUG,
        defaults={
            "title": second_operator.TEXTS["programme.name"][0],
            "reference_prefix": "SCN",
            "summary": second_operator.TEXTS["programme.summary"][0],
            "state": second_operator.STATE,
        },
    )
    today = timezone.localdate()
    opens = dt.datetime.combine(today - dt.timedelta(days=7), dt.time(9), tzinfo=BERLIN)
    closes = today + dt.timedelta(days=21)
    plans = [
        (1, "1. Schulungsdurchgang", "Cohort 1", dt.date(2025, 3, 3), dt.date(2025, 5, 9), 6),
        (
            2,
            "2. Schulungsdurchgang",
            "Cohort 2",
            closes + dt.timedelta(days=21),
            closes + dt.timedelta(days=91),
            0,
        ),
    ]
    towns = itertools.cycle(
        Municipality.objects.filter(state=second_operator.STATE).exclude(ags="").order_by("ags")
    )
    names = itertools.cycle(itertools.product(reversed(FIRST_NAMES), LAST_NAMES))
    for number, title, title_en, start, end, participants in plans:
        held = end < today
        cohort, _ = Cohort.objects.update_or_create(
            programme=programme,
            number=number,
            defaults={
                "title": title,
                "title_en": title_en,
                "start_date": start,
                "end_date": end,
                "applications_open_at": opens if not held else dt.datetime(2024, 12, 2, 9, tzinfo=BERLIN),
                "applications_close_on": closes if not held else dt.date(2025, 1, 31),
                "seats": 12,
                "review_phase": "closed" if held else "open",
            },
        )
        for index in range(participants):
            first, last = next(names)
            user = demo_user(f"land{second_operator.STATE}-{number}-{index + 1:02d}@example.org", first, last)
            Enrollment.objects.get_or_create(cohort=cohort, user=user, defaults={"municipality": next(towns)})
    out.write(f"  {programme.title} (Land {programme.state}, {programme.slug}): {len(plans)} Durchgänge")
