"""No role derives a secret from the admin: every lookup on a field holding one is refused,
directly and through relations, for every registered model; no search, filter or sort names one.

Table-driven: every role × every registered model admin × every path to a secret field."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from portal.accounts import roles
from portal.web.secret_fields import SECRET_FIELDS, touches_secret
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = {
    "superuser": {"is_superuser": True},
    "reviewer": {"group": roles.REVIEWERS},
    "coordinator": {"group": roles.COORDINATORS},
    "evaluator": {"group": roles.EVALUATORS},
    "participant": {"group": roles.PARTICIPANTS, "is_staff": False},
}


def secret_paths(model, depth: int = 2, prefix: str = "") -> list[str]:
    """Every lookup path from ``model`` to a secret field, through forward relations up to ``depth``."""
    paths = []
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False):
            continue
        name = f"{prefix}{field.name}"
        if field.name in SECRET_FIELDS.get(model._meta.label_lower, set()):
            paths.append(name)
        elif field.is_relation and field.related_model is not None and depth > 1:
            paths.extend(secret_paths(field.related_model, depth - 1, f"{name}__"))
    return paths


CASES = [
    (model, path)
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label)
    for path in secret_paths(model)
]


def test_the_table_covers_the_models_that_hold_secrets():
    labels = {model._meta.label for model, _path in CASES}
    assert {"mfa.Authenticator", "portal.User", "portal.OutboxMessage", "certificates.Certificate"} <= labels
    # and relations that lead to one (an enrollment's or authenticator's user's password)
    assert ("mfa.Authenticator", "user__password") in {(m._meta.label, p) for m, p in CASES}


def signed_in(role: str) -> Client:
    spec = ROLES[role]
    user = UserFactory(is_staff=spec.get("is_staff", True), is_superuser=spec.get("is_superuser", False))
    if "group" in spec:
        user.groups.add(Group.objects.get(name=spec["group"]))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_filter_any_admin_list_on_a_secret(role):
    client = signed_in(role)
    checked = 0
    for model, path in CASES:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for lookup in (f"{path}__startswith", f"{path}__contains", path, f"{path}__regex", f"{path}__gt"):
            response = client.get(url, {lookup: "J"})
            # 400: refused lookup; 403/302: this role may not open the list at all
            assert response.status_code in (400, 403, 302), (
                role,
                model._meta.label,
                lookup,
                response.status_code,
            )
            checked += 1
    assert checked >= 5 * len(CASES)


def test_the_superuser_is_refused_the_exact_attack_of_the_report(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:mfa_authenticator_changelist")
    assert client.get(url).status_code == 200
    for lookup in (
        "data__secret__startswith",
        "data__contains",
        "data__secret",
        "user__password__startswith",
    ):
        assert client.get(url, {lookup: "J"}).status_code == 400, lookup
    # Filters on what the list shows still work.
    assert client.get(url, {"type__exact": "totp"}).status_code == 200
    users = reverse("admin:portal_user_changelist")
    assert client.get(users, {"password__startswith": "pbkdf2"}).status_code == 400
    assert client.get(users, {"is_staff__exact": "1"}).status_code == 200


def test_the_rule_refuses_any_path_that_reaches_a_secret():
    from allauth.mfa.models import Authenticator

    from cohorts.models import Enrollment

    assert touches_secret(Authenticator, "data__secret__startswith")
    assert touches_secret(Authenticator, "user__password")
    assert touches_secret(Enrollment, "user__password__regex")
    assert not touches_secret(Authenticator, "user__email__icontains")
    assert not touches_secret(Authenticator, "type")


@pytest.mark.parametrize("model", sorted(admin.site._registry, key=lambda m: m._meta.label), ids=str)
def test_no_search_filter_sort_or_export_names_a_secret(model, rf):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    named = [
        *model_admin.get_search_fields(request),
        *[
            f if isinstance(f, str) else f[0]
            for f in model_admin.get_list_filter(request)
            if not isinstance(f, type)
        ],
        *[f for f in model_admin.get_list_display(request) if isinstance(f, str)],
        *(model_admin.get_ordering(request) or []),
        *([model_admin.date_hierarchy] if model_admin.date_hierarchy else []),
    ]
    for name in named:
        assert not touches_secret(model, name.lstrip("-^=@")), (model._meta.label, name)
    if hasattr(model_admin, "get_export_resource_classes"):
        for resource_class in model_admin.get_export_resource_classes(request):
            for field in resource_class().get_export_fields(resource_class().get_user_visible_fields()):
                assert not touches_secret(model, field.attribute or ""), (model._meta.label, field.attribute)
