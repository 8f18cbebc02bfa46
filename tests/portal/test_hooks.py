"""portal.hooks finds the apps' hook modules: only the project's own apps, left to right."""

import pytest

from portal import hooks


def test_the_project_apps_are_ours_alone_in_the_order_of_installed_apps():
    assert [config.name for config in hooks.project_apps()] == [
        "portal",
        "cohorts",
        "applications",
        "modules",
        "certificates",
        "community",
        "evaluation",
    ]


def test_each_kind_is_found_in_every_app_that_has_it_and_nowhere_else():
    assert [module.__name__ for module in hooks.app_modules("demo")] == [
        "portal.demo",
        "cohorts.demo",
        "applications.demo",
        "modules.demo",
        "certificates.demo",
        "community.demo",
        "evaluation.demo",
    ]
    assert [module.__name__ for module in hooks.app_modules("mails")] == [
        "cohorts.mails",
        "applications.mails",
        "modules.mails",
        "certificates.mails",
        "community.mails",
    ]
    assert "portal.privacy" in [module.__name__ for module in hooks.app_modules("privacy")]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        hooks.app_modules("signals")
