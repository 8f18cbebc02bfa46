"""publiccode.yml (standard v0.4) at the root: the keys the standard requires, with values of the
kinds it allows, the EUPL as licence (as the project's own) and a maintenance contact. No schema
of the standard ships with the project, so the structure is checked here."""

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings

BASE = Path(settings.BASE_DIR)
REQUIRED = {
    "publiccodeYmlVersion",
    "name",
    "url",
    "platforms",
    "developmentStatus",
    "softwareType",
    "description",
    "legal",
    "maintenance",
    "localisation",
}
DEVELOPMENT_STATUS = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}
MAINTENANCE_TYPES = {"internal", "contract", "community", "none"}


@pytest.fixture(scope="module")
def publiccode() -> dict:
    return yaml.safe_load((BASE / "publiccode.yml").read_text(encoding="utf-8"))


def test_the_required_keys_are_there_with_allowed_values(publiccode):
    assert REQUIRED <= set(publiccode)
    assert publiccode["publiccodeYmlVersion"] == "0.4"
    assert re.fullmatch(r"https://[^\s]+", publiccode["url"])
    assert publiccode["platforms"] and all(isinstance(p, str) for p in publiccode["platforms"])
    assert publiccode["developmentStatus"] in DEVELOPMENT_STATUS
    assert publiccode["softwareType"] in SOFTWARE_TYPES
    dt.date.fromisoformat(publiccode["releaseDate"])


@pytest.mark.parametrize("language", ["de", "en"])
def test_each_language_describes_the_portal_within_the_standards_lengths(publiccode, language):
    description = publiccode["description"][language]
    assert 0 < len(description["shortDescription"]) <= 150
    assert 150 <= len(description["longDescription"]) <= 10000
    assert description["features"] and all(len(feature) <= 100 for feature in description["features"])


def test_the_screenshots_exist(publiccode):
    for path in publiccode["description"]["de"]["screenshots"]:
        assert (BASE / path).is_file(), path


def test_the_licence_is_the_projects_eupl_and_there_is_a_maintenance_contact(publiccode):
    project = tomllib.loads((BASE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert publiccode["legal"]["license"] == project["license"] == "EUPL-1.2"
    assert "EUPL" in (BASE / "LICENSE").read_text(encoding="utf-8")[:200]
    maintenance = publiccode["maintenance"]
    assert maintenance["type"] in MAINTENANCE_TYPES
    # Internal or contracted maintenance names whom to contact.
    assert all(contact["name"] and "@" in contact["email"] for contact in maintenance["contacts"])
    assert maintenance["contacts"]


def test_the_languages_are_the_portals(publiccode):
    localisation = publiccode["localisation"]
    assert localisation["localisationReady"] is True
    assert localisation["availableLanguages"] == [code for code, _name in settings.LANGUAGES]
