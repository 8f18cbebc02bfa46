"""People in browsers of their own, for journeys where several people act in turn: each has a
page in its own context, an axe-core audit of every page it loads, and acts either with the
mouse or with the keyboard alone (focus and Enter or Space, typing into the focused field)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import AccessibilityAudit


class Person:
    """One person's browser: a page of its own context, its axe audit, and how it acts."""

    def __init__(self, browser, base_url: str, width: int, keyboard: bool):
        self.context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.axe = AccessibilityAudit(self.page)
        self.base_url = base_url
        self.keyboard = keyboard

    def open(self, name: str, *args) -> None:
        self.page.goto(self.base_url + reverse(name, args=args))
        self.axe()

    def press(self, target) -> None:
        """Follow a link or press a button, which loads a page: by focus and Enter with the
        keyboard, else a click."""
        with self.page.expect_navigation():
            if self.keyboard:
                target.focus()
                expect(target).to_be_focused()
                self.page.keyboard.press("Enter")
            else:
                target.click()
        self.axe()

    def check(self, box) -> None:
        if self.keyboard:
            box.focus()
            self.page.keyboard.press("Space")
        else:
            box.check()
        expect(box).to_be_checked()

    def write(self, field, text: str) -> None:
        if self.keyboard:
            field.focus()
            self.page.keyboard.type(text)
        else:
            field.fill(text)

    def close(self) -> None:
        unchecked = self.axe.unchecked()
        self.context.close()
        assert not unchecked, f"pages loaded without an accessibility check: {unchecked}"


@pytest.fixture
def people(browser, live_server):
    made = []

    def person(width: int, keyboard: bool) -> Person:
        made.append(Person(browser, live_server.url, width, keyboard))
        return made[-1]

    yield person
    for one in made:
        one.close()
