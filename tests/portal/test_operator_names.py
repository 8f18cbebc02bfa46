"""The code and the templates name no operator: its state, ministry, partner and evaluator are
its texts (portal/operator/defaults.py, edited in the admin). Only the default data, the migrations,
the tests and the reference lists (states, municipalities) may name them."""

import re
from pathlib import Path

from django.conf import settings

# The default operator's names, as the code once printed them.
NAMES = re.compile(
    r"brandenburg|\bMIL\b|Ministerium für Infrastruktur|DigitalAgentur|Fachhochschule Potsdam"
    r"|FH Potsdam|Referat 22",
)
CASE_INSENSITIVE = re.compile(r"brandenburg|digitalagentur", re.IGNORECASE)
# Not a name, but it presumes the operator is a ministry: the code says "der Betreiber" or prints
# the operator's text. (Another operator's pages may show the word as its own name.)
IN_CODE_ONLY = re.compile(r"\bMinisteri|\bministry\b", re.IGNORECASE)

# Where the names belong: the default texts, and the reference data of states and municipalities.
ALLOWED_FILES = {
    "portal/operator/defaults.py",
    "portal/operator/demo.py",  # the demo's second, made-up operator
    "portal/states.py",
    "portal/municipalities.py",
}
ALLOWED_DIRECTORIES = ("tests/", "portal/data/", "static/", "standards/", "docs/", "locale/")
SEARCHED = ("*.py", "*.html", "*.txt")


def _searched_files(base: Path):
    for pattern in SEARCHED:
        for path in base.rglob(pattern):
            relative = path.relative_to(base).as_posix()
            if relative.startswith((".", "node_modules/")) or "/migrations/" in relative:
                continue
            if relative in ALLOWED_FILES or relative.startswith(ALLOWED_DIRECTORIES):
                continue
            yield relative, path


def _offences(base: Path) -> list[str]:
    found = []
    for relative, path in _searched_files(base):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if NAMES.search(line) or CASE_INSENSITIVE.search(line) or IN_CODE_ONLY.search(line):
                found.append(f"{relative}:{number}: {line.strip()[:100]}")
    return found


def test_code_and_templates_name_no_state_ministry_or_partner():
    offences = _offences(Path(settings.BASE_DIR))
    assert offences == [], "\n".join(offences)


def test_the_search_finds_a_name_outside_the_default_data(tmp_path):
    (tmp_path / "portal").mkdir()
    (tmp_path / "portal" / "views.py").write_text('TITLE = "Beschäftigte brandenburgischer Kommunen"\n')
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>Das MIL entscheidet.</p>\n")
    (tmp_path / "templates" / "other.html").write_text("<p>Das Ministerium sieht Mittelwerte.</p>\n")
    (tmp_path / "portal" / "operator").mkdir()
    (tmp_path / "portal" / "operator" / "defaults.py").write_text('NAME = "DigitalAgentur Brandenburg"\n')
    offences = _offences(tmp_path)
    assert sorted(offence.split(":")[0] for offence in offences) == [
        "portal/views.py",
        "templates/other.html",
        "templates/page.html",
    ]
