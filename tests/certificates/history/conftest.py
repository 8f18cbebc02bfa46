import pytest

from modules.models import Module
from tests.factories import ProgrammeFactory, UserFactory


@pytest.fixture
def programme(db):
    programme = ProgrammeFactory(reference_prefix="SCM")
    for position in range(1, 6):
        Module.objects.create(programme=programme, position=position, title=f"Modul {position}")
    return programme


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin-import@example.org", is_staff=True, is_superuser=True)


COHORTS_CSV = (
    "nummer;titel;beginn;ende;titel_en;plaetze\r\n"
    "1;1. Schulungsdurchgang (4. Quartal 2021);11.10.2021;17.12.2021;Cohort 1 (Q4 2021);15\r\n"
    "2;2. Schulungsdurchgang (2. Quartal 2022);04.04.2022;24.06.2022;Cohort 2 (Q2 2022);15\r\n"
).encode("utf-8-sig")

HEADER = (
    "durchgang,e_mail,vorname,nachname,ags,kommune,landkreis,organisationseinheit,"
    "modul_1,modul_2,modul_3,modul_4,modul_5,abgeschlossen_am,zertifikat_nummer,ausgestellt_am,name_auf_zertifikat"
)


def participants_csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


GOOD_ROWS = (
    "2,anna.alt@example.org,Anna,Alt,12054000,,,Stabsstelle Digitalisierung,anwesend,anwesend,anwesend,"
    "anwesend,entschuldigt,24.06.2022,SCM-2022-2-0001,30.06.2022,Dr. Anna Alt",
    "2,ben.berg@example.org,Ben,Berg,,Golzow,Märkisch-Oderland,Bauamt,anwesend,anwesend,anwesend,"
    "anwesend,anwesend,24.06.2022,SCM-2022-2-0002,30.06.2022,",
)
