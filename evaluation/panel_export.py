"""The reproducible export of the waves for the evaluators: one ZIP with

- ``long.csv``: one row per answer (pseudonym, wave, instrument, version, item, value, cohort, district);
- ``wide.csv``: one row per pseudonym and cohort, one column per wave and item;
- ``codebook.json`` and ``codebook.md``: variables, labels, scales, anchors, versions, wave dates
  and the suppression rule;
- ``manifest.json``: the export's parameters and the SHA-256 and row count of every file, so that
  a published analysis can name exactly what it used.

Rows are read in chunks and written to temporary files: memory stays bounded however many answers
there are. Names, e-mail addresses and account ids never appear; the pseudonym is the dashboard's
keyed hash, the same in every wave.
"""

import hashlib
import io
import json
import tempfile
import zipfile
from collections import Counter

from django.utils import timezone

from portal.web import spreadsheets

from .disclosure import SUPPRESSED, THRESHOLD, pseudonym
from .models import Answer, InstrumentVersion, Wave

LONG_COLUMNS = ["pseudonym", "wave", "instrument", "version", "item", "value", "cohort", "district"]
CHUNK = 5000


def _value(number, text, choices) -> str:
    if number is not None:
        return str(number)
    if choices:
        return ";".join(choices)
    return text or ""


def _answers(cohort_id: int | None):
    answers = Answer.objects.filter(response__invitation__isnull=False)  # the waves only
    if cohort_id is not None:
        answers = answers.filter(response__invitation__enrollment__cohort_id=cohort_id)
    return answers.order_by(
        "response__invitation__enrollment__user_id", "response__invitation__enrollment__cohort_id", "pk"
    ).values_list(
        "response__invitation__enrollment__user_id",
        "response__invitation__wave__kind",
        "response__version__instrument__key",
        "response__version__number",
        "item__key",
        "number",
        "text",
        "choices",
        "response__invitation__enrollment__cohort__number",
        "response__invitation__enrollment__municipality__district",
    )


def _districts(cohort_id: int | None) -> Counter:
    """People per (cohort, district) among those who answered: districts shared by fewer than
    three people of a cohort are suppressed."""
    people = set(
        _answers(cohort_id)
        .order_by()
        .values_list(
            "response__invitation__enrollment__cohort__number",
            "response__invitation__enrollment__municipality__district",
            "response__invitation__enrollment__user_id",
        )
        .distinct()
    )
    return Counter((cohort, district) for cohort, district, _user in people)


def _rows(cohort_id: int | None, districts: Counter):
    """(person, cohort, pseudonymised long row) of every answer, read in chunks."""
    for user_id, wave, instrument, version, key, number, text, choices, cohort, district in _answers(
        cohort_id
    ).iterator(chunk_size=CHUNK):
        shown = district if district and districts[(cohort, district)] >= THRESHOLD else SUPPRESSED
        value = _value(number, text, choices)
        yield (user_id, cohort), [pseudonym(user_id), wave, instrument, version, key, value, cohort, shown]


def _wide_rows(cohort_id: int | None, districts: Counter, columns: list[str]):
    """One row per person and cohort; the answers arrive ordered by person."""
    current, row = None, {}
    for person, (alias, wave, _instrument, _version, key, value, cohort, district) in _rows(
        cohort_id, districts
    ):
        if person != current:
            if current is not None:
                yield [row["pseudonym"], row["cohort"], row["district"], *(row.get(c, "") for c in columns)]
            current, row = person, {"pseudonym": alias, "cohort": cohort, "district": district}
        row[f"{wave}_{key}"] = value
    if current is not None:
        yield [row["pseudonym"], row["cohort"], row["district"], *(row.get(c, "") for c in columns)]


def _columns(cohort_id: int | None) -> list[str]:
    pairs = (
        _answers(cohort_id).order_by().values_list("response__invitation__wave__kind", "item__key").distinct()
    )
    return sorted({f"{wave}_{key}" for wave, key in pairs})


def _write_csv(archive: zipfile.ZipFile, name: str, header: list, rows) -> dict:
    """Write a CSV through the shared, formula-safe writer into the archive; its digest and rows."""
    digest, count = hashlib.sha256(), 0

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            yield row

    with archive.open(name, "w") as target:
        for chunk in spreadsheets.stream_csv(header, counted()):
            digest.update(chunk)
            target.write(chunk)
    return {"sha256": digest.hexdigest(), "rows": count}


def codebook() -> dict:
    """Every variable of every version, with its scale and anchors, and the waves' dates."""
    versions = (
        InstrumentVersion.objects.select_related("instrument")
        .prefetch_related("items__module")
        .order_by("instrument__key", "number")
    )
    waves = Wave.objects.select_related("programme", "instrument").order_by("programme_id", "kind")
    return {
        "suppression": f"Counts of 1 and 2 are shown as '{SUPPRESSED}'; a district shared by fewer than "
        f"{THRESHOLD} people of a cohort is shown as '{SUPPRESSED}'. Pseudonyms are HMAC-SHA256 of the person.",
        "waves": [
            {
                "programme": wave.programme.title,
                "wave": wave.kind,
                "label": str(wave.get_kind_display()),
                "instrument": wave.instrument.key,
                "offset_days": wave.offset_days,
                "open_days": wave.open_days,
                "reminders": f"at most 2, every {wave.reminder_days} days, to non-respondents only",
            }
            for wave in waves
        ],
        "instruments": [
            {
                "instrument": version.instrument.key,
                "title": version.instrument.title,
                "version": version.number,
                "items": [
                    {
                        "variable": item.key,
                        "type": item.kind,
                        "label_de": item.text,
                        "label_en": item.text_en,
                        "options_de": [line for line in item.options.splitlines() if line.strip()],
                        "options_en": [line for line in item.options_en.splitlines() if line.strip()],
                        "competency": item.competency,
                        "module": item.module.title if item.module_id else "",
                        "minimum": item.minimum,
                        "maximum": item.maximum,
                    }
                    for item in version.items.all()
                ],
            }
            for version in versions
        ],
    }


def codebook_markdown(book: dict) -> str:
    lines = ["# Codebook", "", book["suppression"], "", "## Waves", ""]
    for wave in book["waves"]:
        lines.append(
            f"- {wave['wave']} ({wave['label']}): {wave['instrument']}, {wave['offset_days']} days after its "
            f"trigger, open {wave['open_days']} days; reminders {wave['reminders']}"
        )
    for instrument in book["instruments"]:
        lines += [
            "",
            f"## {instrument['instrument']} v{instrument['version']}: {instrument['title']}",
            "",
            "| variable | type | label | options |",
            "| --- | --- | --- | --- |",
        ]
        for item in instrument["items"]:
            label = item["label_de"].replace("|", "\\|")
            options = "; ".join(item["options_de"]).replace("|", "\\|")
            lines.append(f"| {item['variable']} | {item['type']} | {label} | {options} |")
    return "\n".join(lines) + "\n"


def build_zip(*, cohort_id: int | None = None):
    """The export as a temporary file (rewound), ready to be sent."""
    archive_file = tempfile.TemporaryFile()
    digests = {}
    with zipfile.ZipFile(archive_file, "w", zipfile.ZIP_DEFLATED) as archive:
        districts = _districts(cohort_id)
        long_rows = (row for _person, row in _rows(cohort_id, districts))
        digests["long.csv"] = _write_csv(archive, "long.csv", LONG_COLUMNS, long_rows)
        columns = _columns(cohort_id)
        wide = _wide_rows(cohort_id, districts, columns)
        digests["wide.csv"] = _write_csv(
            archive, "wide.csv", ["pseudonym", "cohort", "district", *columns], wide
        )
        book = codebook()
        for name, text in (
            ("codebook.json", json.dumps(book, ensure_ascii=False, indent=2)),
            ("codebook.md", codebook_markdown(book)),
        ):
            data = text.encode("utf-8")
            archive.writestr(name, data)
            digests[name] = {"sha256": hashlib.sha256(data).hexdigest()}
        manifest = {
            "created_at": timezone.now().isoformat(),
            "parameters": {"cohort": cohort_id, "format": "CSV: UTF-8 with BOM, ';' between cells"},
            "files": digests,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    archive_file.seek(0)
    return archive_file


def read_zip(data: bytes) -> dict[str, bytes]:
    """The files of an export, for tests and for checking a downloaded copy."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
