"""No text prints as something other than what is stored: NFC, and no invisible control characters.

The walks below find every form class and every admin form of the portal and every CharField and
TextField of its models, so a form or field added later is covered by the same tests.
"""

import importlib
import inspect
import pkgutil
import unicodedata

import pytest
from allauth.core import context as allauth_context
from allauth.mfa.base.forms import BaseAuthenticateForm
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from portal.accounts.models import User
from portal.web.text import (
    MULTILINE,
    SINGLE_LINE,
    TextFormMixin,
    is_multiline,
    is_portal_app,
    is_text_field,
    refused_characters,
    text_model_fields,
)
from tests.factories import UserFactory

PASSWORD = "Stadtentwicklung-2026!"

REFUSED_EVERYWHERE = [
    *[chr(point) for point in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]],  # embeddings, isolates
    "\u200e",  # LEFT-TO-RIGHT MARK
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u061c",  # ARABIC LETTER MARK
    "\u200b",  # ZERO WIDTH SPACE
    "\u200c",  # ZERO WIDTH NON-JOINER
    "\u200d",  # ZERO WIDTH JOINER (between letters)
    "\u2060",  # WORD JOINER
    "\ufeff",  # ZERO WIDTH NO-BREAK SPACE
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",  # C1: NEXT LINE
    "\x9b",  # C1: CONTROL SEQUENCE INTRODUCER
]
LINE_BREAKS = ["\t", "\n", "\r"]
ACCEPTED = [
    "Jördis Groß-Nüßlein",
    "محمد الأحمد",  # Arabic
    "דוד לוי",  # Hebrew
    "Zoë 👩‍💻 🏳️‍🌈 👨🏽‍🚀",  # emoji, also joined with zero-width joiners
    "Łukasz Żółć, Ærøskøbing, Ñandú",
]
HOSTILE = "Anna\u202eztiwhcS"  # prints as "AnnaSchwitz"


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("character", REFUSED_EVERYWHERE, ids=lambda c: f"U+{ord(c):04X}")
def test_each_invisible_character_is_refused_by_its_code_point(character):
    value = f"Anna{character}Schulz"
    for validator in (SINGLE_LINE, MULTILINE):
        with pytest.raises(ValidationError) as refused:
            validator(value)
        assert f"U+{ord(character):04X}" in refused.value.messages[0]


@pytest.mark.parametrize("character", LINE_BREAKS, ids=repr)
def test_tab_and_line_breaks_only_in_multiline_text(character):
    MULTILINE(f"Erste Zeile{character}zweite Zeile")
    with pytest.raises(ValidationError, match=f"U\\+{ord(character):04X}"):
        SINGLE_LINE(f"Erste Zeile{character}zweite Zeile")


@pytest.mark.parametrize("value", ACCEPTED)
def test_right_to_left_scripts_accents_and_emoji_are_text(value):
    assert refused_characters(value) == []
    SINGLE_LINE(value)


def test_a_joiner_counts_only_between_two_emoji():
    assert refused_characters("👩\u200d💻") == []
    assert refused_characters("a\u200db") == ["U+200D"]
    assert refused_characters("👩\u200d") == ["U+200D"]
    assert refused_characters("\u200d💻") == ["U+200D"]


def test_the_message_names_each_character_once_in_german_and_english():
    value = "A\u202eB\u202eC\u200bD"
    with translation.override("de"):
        with pytest.raises(ValidationError) as german:
            SINGLE_LINE(value)
        messages = german.value.messages
    assert messages == [
        "Dieses Feld enthält unsichtbare Steuerzeichen, die die Darstellung des Textes verändern "
        "können: U+202E, U+200B. Bitte entfernen Sie sie, z. B. indem Sie den Text neu eintippen."
    ]
    with translation.override("en"):
        with pytest.raises(ValidationError) as english:
            SINGLE_LINE(value)
        messages = english.value.messages
    assert messages == [
        "This field contains invisible control characters that can change how the text is "
        "displayed: U+202E, U+200B. Please remove them, for example by typing the text again."
    ]


# --- every form of the portal -------------------------------------------------------------------


def portal_form_classes():
    for app_config in apps.get_app_configs():
        if not is_portal_app(app_config):
            continue
        for name in ("forms", "views", "admin"):
            try:
                importlib.import_module(f"{app_config.name}.{name}")
            except ModuleNotFoundError:
                continue
        # The ground floor keeps its forms in sub-packages (portal.accounts.forms, ...).
        for module in pkgutil.walk_packages([app_config.path], prefix=f"{app_config.name}."):
            if module.name.rsplit(".", 1)[-1] in ("forms", "views", "admin", "second_factor"):
                importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            module = subclass.__module__.split(".")[0]
            if apps.is_installed(module) and is_portal_app(apps.get_app_config(module)):
                found.add(subclass)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


FORM_CLASSES = portal_form_classes()


def test_the_walk_finds_the_forms_people_fill_in():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"ApplicationForm", "SignupForm", "ProfileForm", "_WaveFormBase", "VerifyForm"} <= names
    assert {"DecisionForm", "MailTemplateForm", "SessionForm", "MaterialForm"} <= names


def constructor_arguments(form_class) -> dict:
    """What a form needs besides its data, for the forms that need more."""
    parameters = {
        name
        for cls in form_class.__mro__
        if "__init__" in vars(cls)
        for name in inspect.signature(cls.__init__).parameters
    }
    kwargs = {}
    if "user" in parameters or issubclass(form_class, BaseAuthenticateForm):  # allauth pops "user"
        kwargs["user"] = UserFactory()
    if "resources" in parameters:  # the admin's export forms (django-import-export)
        from import_export.formats.base_formats import CSV

        model_admin = next(
            a for a in admin.site._registry.values() if getattr(a, "export_form_class", None) is form_class
        )
        kwargs["formats"] = [CSV]
        kwargs["resources"] = model_admin.get_export_resource_classes(None)
    return kwargs


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_portal_form_normalises_and_refuses_in_each_text_field(form_class):
    assert issubclass(form_class, TextFormMixin), f"{form_class.__name__} lacks TextFormMixin"
    kwargs = constructor_arguments(form_class)
    unbound = form_class(**kwargs)
    text_fields = [name for name, field in unbound.fields.items() if is_text_field(field)]
    data = {unbound.add_prefix(name): HOSTILE for name in text_fields}
    form = form_class(data=data, **kwargs)
    with allauth_context.request_context(RequestFactory().post("/")):
        form.is_valid()
    for name in text_fields:
        assert form.has_error(name, "invisible_characters"), (form_class.__name__, name, form.errors)
    decomposed = {unbound.add_prefix(name): "Jo\u0308rdis" for name in text_fields}
    form = form_class(data=decomposed, **kwargs)
    with allauth_context.request_context(RequestFactory().post("/")):
        form.is_valid()
    for name in text_fields:
        assert form[name].value() == "Jördis"
        assert not form.has_error(name, "invisible_characters")


@pytest.mark.django_db
def test_multiline_fields_keep_their_line_breaks():
    from applications.forms import ApplicationForm

    form = ApplicationForm(data={"motivation": "Erstens:\r\n\tmehr\r\nZweitens", "position": "Leitung\tBau"})
    form.is_valid()
    assert is_multiline(form.fields["motivation"]) and not form.has_error("motivation")
    assert form.has_error("position", "invisible_characters")


# --- every model field and the admin ----------------------------------------------------------


def portal_text_fields():
    return [
        (model, field)
        for app_config in apps.get_app_configs()
        if is_portal_app(app_config)
        for model in app_config.get_models()
        for field in text_model_fields(model)
    ]


@pytest.mark.parametrize(
    ("model", "field"), portal_text_fields(), ids=lambda x: getattr(x, "name", None) or x._meta.label
)
def test_every_text_field_of_every_model_refuses(model, field):
    expected = MULTILINE if isinstance(field, models.TextField) else SINGLE_LINE
    assert expected in field.validators
    with pytest.raises(ValidationError) as refused:
        field.run_validators(HOSTILE)
    assert "U+202E" in str(refused.value)


@pytest.mark.django_db
def test_the_validators_leave_the_migrations_alone():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_every_save_stores_nfc():
    user = UserFactory(first_name="Jo\u0308rdis", last_name="Nu\u0308ßlein")
    user.refresh_from_db()
    assert user.first_name == "Jördis" and unicodedata.is_normalized("NFC", user.last_name)


def admin_forms():
    for model, model_admin in admin.site._registry.items():
        if is_portal_app(model._meta.app_config):
            yield model_admin


@pytest.mark.django_db
def test_every_admin_form_refuses_in_each_of_its_text_fields():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/")
    request.user = superuser
    checked = 0
    for model_admin in admin_forms():
        if not model_admin.has_add_permission(request):
            continue
        form_class = model_admin.get_form(request)
        unbound = form_class()
        text_fields = [name for name, field in unbound.fields.items() if is_text_field(field)]
        form = form_class(data=dict.fromkeys(text_fields, "A\u202eB"))
        assert not form.is_valid()
        for name in text_fields:
            assert form.has_error(name), (model_admin, name)
            if type(unbound.fields[name]) is forms.CharField:  # slugs, e-mails, URLs refuse on their own
                assert form.has_error(name, "invisible_characters"), (model_admin, name, form.errors)
                checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_the_admin_page_shows_the_refusal_and_saves_nothing(client):
    from cohorts.models import Programme

    programme = Programme.objects.create(slug="p", title="Programm")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:cohorts_programme_change", args=[programme.pk])
    response = client.post(
        url, {"slug": "p", "title": HOSTILE, "reference_prefix": "SCM", "summary": "Zeile\r\nZeile"}
    )
    assert response.status_code == 200
    assert "U+202E" in response.content.decode()
    programme.refresh_from_db()
    assert programme.title == "Programm"


# --- sign-up and the application form, end to end ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_sign_up_refuses_a_name_that_prints_as_another(client, field):
    data = {
        "first_name": "Anna",
        "last_name": "Schulz",
        "email": "anna@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        field: HOSTILE,
    }
    response = client.post(reverse("account_signup"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "unsichtbare Steuerzeichen" in html and "U+202E" in html
    assert "anna@example.org" in html  # everything typed is still there
    assert not User.objects.filter(email="anna@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "last"), [("محمد", "الأحمد"), ("דוד", "לוי"), ("Jo\u0308rdis", "Groß")])
def test_sign_up_takes_right_to_left_names_and_stores_nfc(
    client, first, last, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "first_name": first,
                "last_name": last,
                "email": "neu@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    user = User.objects.get(email="neu@example.org")
    assert (user.first_name, user.last_name) == (unicodedata.normalize("NFC", first), last)


@pytest.mark.django_db
def test_the_name_field_is_the_one_place_for_name_rules():
    from portal.accounts.forms import NAME_VALIDATORS, PersonNameField, SignupForm

    assert isinstance(SignupForm.base_fields["first_name"], PersonNameField)
    assert isinstance(SignupForm.base_fields["last_name"], PersonNameField)
    assert all(v in SignupForm.base_fields["first_name"].validators for v in NAME_VALIDATORS)


@pytest.mark.django_db
def test_the_profile_refuses_a_name_that_prints_as_another_and_stores_nfc(client):
    user = UserFactory(first_name="Anna", last_name="Schulz")
    client.force_login(user)
    data = {"first_name": "Anna", "last_name": HOSTILE, "language": "de"}
    response = client.post(reverse("profile"), data)
    html = response.content.decode()
    assert "U+202E" in html and "unsichtbare Steuerzeichen" in html
    user.refresh_from_db()
    assert user.last_name == "Schulz"
    client.post(reverse("profile"), {**data, "last_name": "Nu\u0308ßlein"})
    user.refresh_from_db()
    assert user.last_name == "Nüßlein"
