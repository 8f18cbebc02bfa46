"""Finding a municipality named in an import row: by its AGS first, then by its name together
with its district. A name that two municipalities share (Golzow, Mittenwalde) is matched only
with the district or the AGS, and the error says which districts have one."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from portal.models import Municipality


@dataclass(frozen=True)
class Mismatch:
    column: str  # "ags", "kommune" or "landkreis"
    message: str


def _key(text: str) -> str:
    """Case and spacing do not matter: "Frankfurt(Oder)" is "Frankfurt (Oder)"."""
    return "".join(text.split()).casefold()


class MunicipalityIndex:
    """All municipalities, read once per import."""

    def __init__(self):
        self.by_ags: dict[str, Municipality] = {}
        self.by_name: dict[str, list[Municipality]] = {}
        for municipality in Municipality.objects.order_by("district", "name"):
            if municipality.ags:
                self.by_ags[municipality.ags] = municipality
            self.by_name.setdefault(_key(municipality.name), []).append(municipality)

    def match(self, *, ags: str, name: str, district: str) -> Municipality | Mismatch | None:
        """The municipality, a ``Mismatch`` naming the column at fault, or None if none is given."""
        if ags:
            found = self.by_ags.get(ags.strip())
            if found is None:
                return Mismatch("ags", _("Es gibt keine Kommune mit dem AGS „%(ags)s“.") % {"ags": ags})
            return found
        if not name:
            return None
        candidates = self.by_name.get(_key(name), [])
        if not candidates:
            return Mismatch("kommune", _("Es gibt keine Kommune namens „%(name)s“.") % {"name": name})
        if district:
            in_district = [m for m in candidates if _key(m.district) == _key(district)]
            if not in_district:
                return Mismatch(
                    "landkreis",
                    _("„%(name)s“ liegt nicht im Landkreis „%(district)s“, sondern in: %(districts)s.")
                    % {"name": name, "district": district, "districts": _districts(candidates)},
                )
            candidates = in_district
        if len(candidates) > 1:
            return Mismatch(
                "kommune",
                _(
                    "„%(name)s“ gibt es mehrmals (%(districts)s). Bitte geben Sie den Landkreis "
                    "oder den AGS an."
                )
                % {"name": name, "districts": _districts(candidates)},
            )
        return candidates[0]


def _districts(municipalities: list[Municipality]) -> str:
    return ", ".join(m.district for m in municipalities)
