"""The second factor: decided from the account's rights on every request, locked after wrong
codes per account and per address (also when the guesses come from rotating addresses), and its
secrets encrypted at rest."""

import datetime as dt
import importlib

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from portal.accounts import roles
from tests.factories import STAFF_TOTP_SECRET, UserFactory, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "ein-sicheres-Passwort-1"
PROXY = "10.0.0.2"
START = dt.datetime(2026, 11, 25, 9, 0, 5, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def behind_the_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def signed_in_with_password(email: str) -> Client:
    """A browser signed in with the password only (an account without a second factor)."""
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


# --- decided per request ------------------------------------------------------------------------


def test_an_account_made_coordinator_mid_session_is_sent_to_set_up_its_second_factor():
    user = UserFactory(email="bald.staff@example.org")
    client = signed_in_with_password(user.email)
    assert client.get(reverse("applications:dashboard")).status_code == 200
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=roles.COORDINATORS))
    for page in (reverse("admin:index"), reverse("modules:coordination"), reverse("applications:dashboard")):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), page


def test_an_account_given_the_evaluators_rights_mid_session_is_stopped_on_its_next_request():
    user = UserFactory(email="bald.evaluation@example.org")
    client = signed_in_with_password(user.email)
    assert client.get(reverse("applications:dashboard")).status_code == 200
    user.groups.add(Group.objects.get(name=roles.EVALUATORS))
    response = client.get(reverse("evaluation:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # Rights taken away again: the account works without a second factor again.
    user.groups.remove(Group.objects.get(name=roles.EVALUATORS))
    assert client.get(reverse("applications:dashboard")).status_code == 200


def test_a_permission_given_to_the_group_counts_for_its_members_at_once():
    user = UserFactory(email="gruppe@example.org")
    group = Group.objects.create(name="Sonderauswertung")
    user.groups.add(group)
    client = signed_in_with_password(user.email)
    assert client.get(reverse("applications:dashboard")).status_code == 200
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="export_pseudonymised"))
    assert client.get(reverse("applications:dashboard"))["Location"] == reverse("mfa_activate_totp")


def test_an_applicants_request_pays_no_query_for_the_decision(django_assert_num_queries):
    from portal.accounts.models import User
    from portal.accounts.security import requires_mfa

    user = UserFactory()
    assert requires_mfa(user) is False  # decided once (at login), then remembered in the cache
    fresh = User.objects.get(pk=user.pk)  # each request loads the user anew
    with django_assert_num_queries(0):
        assert requires_mfa(fresh) is False
    fresh.groups.add(Group.objects.get(name=roles.EVALUATORS))
    assert requires_mfa(User.objects.get(pk=user.pk)) is True


# --- wrong codes lock the second factor -----------------------------------------------------------


def at_the_code_step(email: str, address: str) -> Client:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    return client


def send_code(client: Client, code: str, address: str):
    return client.post(reverse("mfa_authenticate"), {"code": code}, HTTP_X_FORWARDED_FOR=address)


def wrong(code: str) -> str:
    return f"{(int(code) + 500000) % 1000000:06d}"


def test_wrong_codes_from_rotating_addresses_lock_the_account_and_then_even_the_right_code_fails(
    time_machine,
):
    time_machine.move_to(START, tick=False)
    UserFactory(email="rita@example.org", is_staff=True)
    client = at_the_code_step("rita@example.org", "203.0.113.1")
    for n in range(5):  # the default limit, django-axes' five
        response = send_code(client, wrong(totp_code()), f"203.0.113.{10 + n}")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = send_code(client, totp_code(), "203.0.113.99")
    html = response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "für 30 Minuten gesperrt" in html
    # A new sign-in from a fresh address meets the same lock.
    fresh = at_the_code_step("rita@example.org", "192.0.2.200")
    assert "gesperrt" in send_code(fresh, totp_code(), "192.0.2.200").content.decode()
    assert "_auth_user_id" not in fresh.session
    # After the cool-off the right code works again.
    time_machine.move_to(START + dt.timedelta(minutes=31), tick=False)
    again = at_the_code_step("rita@example.org", "192.0.2.201")
    assert send_code(again, totp_code(), "192.0.2.201").status_code == 302
    assert "_auth_user_id" in again.session


def test_sixty_wrong_codes_spread_over_three_addresses_check_at_most_five(time_machine):
    """The attack of the report: 60 wrong codes for one account over 3 addresses."""
    time_machine.move_to(START, tick=False)
    user = UserFactory(email="rita@example.org", is_staff=True)
    checked = []
    from allauth.mfa import signals

    def count(sender, user, **kwargs):
        checked.append(user.pk)

    signals.authentication_failed.connect(count)
    try:
        clients = [at_the_code_step(user.email, f"203.0.113.{n}") for n in (1, 2, 3)]
        for attempt in range(60):
            send_code(clients[attempt % 3], wrong(totp_code()), f"203.0.113.{attempt % 3 + 1}")
    finally:
        signals.authentication_failed.disconnect(count)
    assert len(checked) <= 5


def test_one_address_trying_codes_on_many_accounts_is_locked(settings, time_machine):
    time_machine.move_to(START, tick=False)
    settings.PORTAL_MFA_ADDRESS_FAILURE_LIMIT = 3
    accounts = [UserFactory(email=f"staff{n}@example.org", is_staff=True) for n in range(4)]
    address = "203.0.113.66"
    for user in accounts[:3]:
        response = send_code(at_the_code_step(user.email, address), wrong(totp_code()), address)
        assert "gesperrt" not in response.content.decode()
    locked = at_the_code_step(accounts[3].email, address)
    assert "gesperrt" in send_code(locked, totp_code(), address).content.decode()
    # The owner of that account, at another address, is not affected.
    owner = at_the_code_step(accounts[3].email, "198.51.100.5")
    assert send_code(owner, totp_code(), "198.51.100.5").status_code == 302


def test_the_lock_message_speaks_english(time_machine):
    time_machine.move_to(START, tick=False)
    UserFactory(email="rita@example.org", is_staff=True, language="en")
    client = at_the_code_step("rita@example.org", "203.0.113.1")
    client.cookies["portal_language"] = "en"
    for _ in range(5):
        send_code(client, wrong(totp_code()), "203.0.113.1")
    html = send_code(client, totp_code(), "203.0.113.1").content.decode()
    assert "the sign-in with the second factor is blocked for 30 minutes" in html


# --- secrets encrypted at rest --------------------------------------------------------------------


def stored_data(user) -> dict:
    return dict(Authenticator.objects.filter(user=user).values_list("type", "data"))


def test_totp_secret_and_recovery_seed_are_stored_encrypted_and_still_work(client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = UserFactory(email="rita@example.org", is_staff=True)
    RecoveryCodes.activate(user)
    data = stored_data(user)
    assert data["totp"]["secret"].startswith("fernet1:") and STAFF_TOTP_SECRET not in str(data)
    assert data["recovery_codes"]["seed"].startswith("fernet1:")
    client = at_the_code_step(user.email, "198.51.100.5")
    assert send_code(client, totp_code(), "198.51.100.5").status_code == 302


def test_the_data_migration_seals_rows_written_in_the_clear_and_its_reverse_opens_them():
    migration = importlib.import_module("portal.migrations.0016_encrypt_mfa_secrets")
    user = UserFactory(is_staff=True, totp=False)
    Authenticator.objects.create(user=user, type="totp", data={"secret": STAFF_TOTP_SECRET})
    migration.seal_existing(global_apps, None)
    sealed = stored_data(user)["totp"]["secret"]
    assert sealed.startswith("fernet1:")
    migration.seal_existing(global_apps, None)  # twice changes nothing
    assert stored_data(user)["totp"]["secret"] == sealed
    assert TOTP(Authenticator.objects.get(user=user)).validate_code(totp_code())
    migration.open_existing(global_apps, None)
    assert stored_data(user)["totp"]["secret"] == STAFF_TOTP_SECRET


def test_a_row_from_before_encryption_still_signs_in():
    user = UserFactory(email="alt@example.org", is_staff=True, totp=False)
    Authenticator.objects.create(user=user, type="totp", data={"secret": STAFF_TOTP_SECRET})
    client = at_the_code_step(user.email, "198.51.100.5")
    assert send_code(client, totp_code(), "198.51.100.5").status_code == 302


def test_a_rotated_secret_key_in_the_fallbacks_still_opens_the_secrets(settings):
    user = UserFactory(email="rita@example.org", is_staff=True)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 60
    settings.SECRET_KEY_FALLBACKS = [old]
    assert TOTP(Authenticator.objects.get(user=user, type="totp")).validate_code(totp_code())


@time_machine.travel(START, tick=False)
def test_recovery_codes_still_sign_in_with_the_sealed_seed():
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = UserFactory(email="rita@example.org", is_staff=True)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    client = at_the_code_step(user.email, "198.51.100.5")
    assert send_code(client, codes[0], "198.51.100.5").status_code == 302


def test_an_account_promoted_with_an_authenticator_set_up_elsewhere_must_enter_its_code():
    user = UserFactory(email="bald.staff@example.org")
    client = signed_in_with_password(user.email)
    TOTP.activate(user, STAFF_TOTP_SECRET)  # in another session, after this one signed in
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_reauthenticate")
    assert client.post(reverse("mfa_reauthenticate"), {"code": totp_code()}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
