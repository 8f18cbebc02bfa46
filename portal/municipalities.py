"""Loading the official list of Brandenburg municipalities into ``Municipality``."""

import csv
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "brandenburg_municipalities.csv"
MITVERWALTUNG = "Mitverwaltung "


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")


def load_municipalities(municipality_model, path: Path = DATA_FILE) -> int:
    """Create or update every municipality, Amt and Verbandsgemeinde of the list.

    Takes the model class so that a data migration can pass its historical model.
    Idempotent: running it twice changes nothing. Returns the number of rows in the list.
    Each row's state is the first two digits of its AGS (an Amt takes its members' state); the
    migration that first loaded the list ran before municipalities had a state.
    """
    with_state = any(f.name == "state" for f in municipality_model._meta.get_fields())

    def located(fields: dict, ags: str) -> dict:
        return {**fields, "state": ags[:2]} if with_state else fields

    Kind = {"stadt": "stadt", "gemeinde": "gemeinde", "amt": "amt", "vg": "verbandsgemeinde"}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    bodies = {}
    for row in rows:
        amt = row["amt"].strip()
        if amt and not amt.startswith(MITVERWALTUNG) and amt not in bodies:
            kind = Kind["amt"] if amt.startswith("Amt ") else Kind["vg"]
            body, _ = municipality_model.objects.update_or_create(
                key=f"{kind}:{_slug(amt)}",
                defaults=located(
                    {"ags": "", "name": amt, "district": row["district"], "kind": kind}, row["ags"]
                ),
            )
            bodies[amt] = body

    by_name = {}
    for row in rows:
        municipality, _ = municipality_model.objects.update_or_create(
            key=row["ags"],
            defaults=located(
                {
                    "ags": row["ags"],
                    "name": row["name"],
                    "district": row["district"],
                    "kind": Kind["stadt"] if row["is_town"] == "true" else Kind["gemeinde"],
                    "administration": bodies.get(row["amt"].strip()),
                },
                row["ags"],
            ),
        )
        by_name.setdefault(row["name"], []).append(municipality)

    # "Mitverwaltung Schwedt/Oder": the municipality is administered by a town.
    for row in rows:
        amt = row["amt"].strip()
        if amt.startswith(MITVERWALTUNG):
            (town,) = by_name[amt.removeprefix(MITVERWALTUNG)]
            municipality_model.objects.filter(key=row["ags"]).update(administration=town)
    return len(rows)
