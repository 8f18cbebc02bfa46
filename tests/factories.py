import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from cohorts.models import BERLIN, Cohort, Enrollment, Programme
from modules.models import Module
from portal.accounts.models import User
from portal.models import Municipality

STAFF_TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"  # noqa: S105 - test fixture


def totp_code(secret: str = STAFF_TOTP_SECRET) -> str:
    """The current one-time code for a TOTP secret, as an authenticator app shows it."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Erika"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    password = factory.PostGenerationMethodCall("set_password", "ein-sicheres-Passwort-1")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Staff must have a second factor; tests give them one with a known secret."""
        if create and self.is_staff and extracted is not False:
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(self, STAFF_TOTP_SECRET)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ["slug"]

    slug = "smart-city-manager"
    title = "Smart City Manager:in"


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 100)  # clear of the demo cohorts 1 to 4
    title = factory.LazyAttribute(lambda o: f"{o.number}. Schulungsdurchgang")
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    applications_close_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))
    start_date = factory.LazyAttribute(lambda o: o.applications_close_on + dt.timedelta(days=14))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=70))
    seats = 15


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    programme = factory.SubFactory(ProgrammeFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Modul {n + 1}")


def municipality(name: str, district: str | None = None) -> Municipality:
    queryset = Municipality.objects.filter(name=name)
    if district:
        queryset = queryset.filter(district=district)
    return queryset.get()


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(ags="12054000"))


def berlin(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)
