"""Invisible characters are refused by their Unicode category, not by a list; ZWNJ and ZWJ are
allowed between letters of the scripts that need them, so Persian, Pashto and Indic names pass
at sign-up and in the profile."""

import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.accounts.models import User
from portal.web.text import MULTILINE, SINGLE_LINE, refused_characters
from tests.factories import UserFactory

PASSWORD = "Stadtentwicklung-2026!"
ZWNJ, ZWJ = "\u200c", "\u200d"

REPORTED = [
    *[chr(p) for p in range(0x2061, 0x2065)],  # invisible operators
    *[chr(p) for p in range(0x206A, 0x2070)],  # deprecated format characters
    "\U000e0001",  # LANGUAGE TAG
    "\U000e0041",  # TAG LATIN CAPITAL LETTER A
    "\U000e007f",  # CANCEL TAG
    "\u180e",  # MONGOLIAN VOWEL SEPARATOR
    "\u00ad",  # SOFT HYPHEN
    "\u3164",  # HANGUL FILLER
    "\u115f",  # HANGUL CHOSEONG FILLER
    "\u1160",  # HANGUL JUNGSEONG FILLER
    "\uffa0",  # HALFWIDTH HANGUL FILLER
    "\u034f",  # COMBINING GRAPHEME JOINER
    *[chr(p) for p in range(0xFFF9, 0xFFFC)],  # interlinear annotation
    "\ue000",  # private use
    "\U000f0000",  # supplementary private use
]


@pytest.mark.parametrize("character", REPORTED, ids=lambda c: f"U+{ord(c):04X}")
def test_each_reported_character_is_refused_in_every_field(character):
    for validator in (SINGLE_LINE, MULTILINE):
        with pytest.raises(ValidationError, match=f"U\\+{ord(character):04X}"):
            validator(f"Anna{character}Schulz")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"], ids=["U+2028", "U+2029"])
def test_line_and_paragraph_separators_are_refused_even_in_one_line_fields(separator):
    for validator in (SINGLE_LINE, MULTILINE):
        with pytest.raises(ValidationError, match=f"U\\+{ord(separator):04X}"):
            validator(f"Erste Zeile{separator}zweite Zeile")


def every_code_point_of(categories: set[str]):
    for point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(point)) in categories:
            yield chr(point)


def test_every_format_private_use_and_separator_character_is_refused_by_its_category():
    """The whole class, so a character nobody listed is refused too."""
    checked = 0
    for character in every_code_point_of({"Cf", "Co", "Zl", "Zp"}):
        if character in (ZWNJ, ZWJ):
            continue  # refused between Latin letters (below), allowed where a script needs them
        assert refused_characters(f"a{character}b") == [f"U+{ord(character):04X}"], hex(ord(character))
        checked += 1
    assert checked > 130_000  # two private-use planes and the BMP's private-use area among them


def test_every_control_character_but_tab_and_line_breaks_in_multiline_text():
    for character in every_code_point_of({"Cc"}):
        expected = [] if character in "\t\n\r" else [f"U+{ord(character):04X}"]
        assert refused_characters(f"a{character}b", multiline=True) == expected


NAMES_WITH_JOINERS = {
    "persian": ("مهرداد", f"زرین{ZWNJ}کوب"),
    "pashto": (f"خوشحال{ZWNJ}خان", "خټک"),
    "pashto_2": ("ملالۍ", f"یوسف{ZWNJ}زۍ"),
    "urdu": ("عائشہ", f"نور{ZWNJ}الہدیٰ"),
    "hindi": ("लक्ष्मी", f"क्{ZWJ}ष"),
    "malayalam": (f"ന്{ZWJ}റ", "നായർ"),
    "bengali": (f"র্{ZWJ}য", "দাস"),
}


@pytest.mark.parametrize("name", NAMES_WITH_JOINERS.values(), ids=NAMES_WITH_JOINERS.keys())
def test_joiners_between_letters_of_scripts_that_need_them_are_text(name):
    for part in name:
        assert refused_characters(part) == []


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        (f"Anna{ZWNJ}Schulz", "U+200C"),  # Latin does not need it
        (f"Anna{ZWJ}Schulz", "U+200D"),
        (f"{ZWNJ}کوب", "U+200C"),  # at the start
        (f"زرین{ZWNJ}", "U+200C"),  # at the end
        (f"زرین{ZWNJ} کوب", "U+200C"),  # before a space
        (f"زرین{ZWNJ}Kob", "U+200C"),  # between two scripts
        (f"क{ZWJ}ک", "U+200D"),  # Devanagari and Arabic
        (f"زرین{ZWNJ}{ZWNJ}کوب", "U+200C"),  # doubled: next to a joiner, not a letter
        (f"زرین{ZWNJ}\u200bکوب", "U+200C"),
    ],
)
def test_joiners_anywhere_else_are_refused(value, refused):
    assert refused in refused_characters(value)


def test_a_subdivision_flag_keeps_its_tags_but_tags_elsewhere_are_refused():
    scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert refused_characters(f"Mhairi {scotland}") == []
    assert refused_characters("Mhairi \U000e0067\U000e0062\U000e007f") == ["U+E0067", "U+E0062", "U+E007F"]
    assert refused_characters("\U0001f3f4\U000e0067\U000e0062") != []  # no cancel tag
    assert refused_characters("\U0001f3f4\U000e0041\U000e007f") == ["U+E0041", "U+E007F"]  # capital tag


ARABIC_SCRIPT = ["persian", "pashto", "pashto_2", "urdu"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ARABIC_SCRIPT)
def test_names_with_joiners_pass_sign_up_and_are_stored_as_typed(
    client, language, django_capture_on_commit_callbacks
):
    first, last = NAMES_WITH_JOINERS[language]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "first_name": first,
                "last_name": last,
                "email": "neu@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="neu@example.org")
    assert (user.first_name, user.last_name) == (first, last)


@pytest.mark.django_db
def test_the_profile_takes_a_persian_name_and_refuses_a_latin_name_with_a_joiner(client):
    user = UserFactory(first_name="Anna", last_name="Schulz")
    client.force_login(user)
    response = client.post(
        reverse("profile"), {"first_name": "مهرداد", "last_name": f"زرین{ZWNJ}کوب", "language": "de"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_name == f"زرین{ZWNJ}کوب"
    response = client.post(
        reverse("profile"), {"first_name": "Anna", "last_name": f"Sch{ZWNJ}ulz", "language": "de"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "U+200C" in html
    user.refresh_from_db()
    assert user.last_name == f"زرین{ZWNJ}کوب"
