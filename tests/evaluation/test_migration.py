"""The questionnaire after each module moves into the instrument storage by a data migration:
every stored answer arrives intact (same person, module, item, value and time), the roles keep
the evaluation's permissions, and going back restores the old rows."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from evaluation.models import Answer, WaveResponse
from tests.factories import CohortFactory, EnrollmentFactory, ModuleFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("evaluation", "0004_default_instruments")
FIELDS = {
    "relevance": "relevanz",
    "clarity": "verstaendlichkeit",
    "practical_task": "praxisaufgabe",
    "online_format": "online_format",
    "overall": "gesamt",
}
AT = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("evaluation")


def old_rows(apps) -> list[tuple]:
    model = apps.get_model("evaluation", "QuestionnaireResponse")
    return sorted(model.objects.values_list("enrollment_id", "module_id", "submitted_at", *FIELDS, "comment"))


def test_every_answer_arrives_intact_and_going_back_restores_it():
    programme = ProgrammeFactory()
    modules = [ModuleFactory(programme=programme, position=p) for p in (1, 2)]
    cohort = CohortFactory(programme=programme)
    enrollments = [EnrollmentFactory(cohort=cohort, state="confirmed") for _ in range(4)]
    apps = migrate([BEFORE])
    questionnaire = apps.get_model("evaluation", "QuestionnaireResponse")
    values = [(5, 4, None, 2, 3, "Sehr gut."), (None, None, None, None, 1, ""), (None,) * 5 + ("Nur Text",)]
    for number, enrollment in enumerate(enrollments):
        for module in modules:
            *scale, comment = values[(number + module.position) % len(values)]
            questionnaire.objects.create(
                enrollment_id=enrollment.pk,
                module_id=module.pk,
                submitted_at=AT + dt.timedelta(days=number, minutes=module.position),
                comment=comment,
                **dict(zip(FIELDS, scale, strict=True)),
            )
    before = old_rows(apps)
    old_type = ContentType.objects.get_or_create(app_label="evaluation", model="questionnaireresponse")[0]
    Permission.objects.filter(content_type=old_type).delete()
    granted = Permission.objects.create(
        content_type=old_type, codename="view_statistics", name="Kann die Auswertung des Programms sehen"
    )
    role = Group.objects.create(name="Auswertung (alt)")
    role.permissions.add(granted)

    migrate(latest())

    responses = WaveResponse.objects.filter(module__isnull=False)
    assert responses.count() == len(before) == 8
    assert not responses.filter(invitation__isnull=False).exists()
    assert {r.version.instrument.key for r in responses} == {"modul-feedback"}
    after = []
    for response in responses:
        answers = {a.item.key: a for a in Answer.objects.filter(response=response).select_related("item")}
        comment = answers.pop("anmerkungen", None)
        scale = [answers[key].number if key in answers else None for key in FIELDS.values()]
        text = comment.text if comment else ""
        after.append((response.enrollment_id, response.module_id, response.submitted_at, *scale, text))
    assert sorted(after) == before
    moved = Permission.objects.get(codename="view_statistics", content_type__model="waveresponse")
    assert role.permissions.filter(pk=moved.pk).exists()

    apps = migrate([BEFORE])
    assert old_rows(apps) == before
    assert not apps.get_model("evaluation", "WaveResponse").objects.exists()
    assert not apps.get_model("evaluation", "Instrument").objects.filter(key="modul-feedback").exists()
    migrate(latest())
    assert WaveResponse.objects.filter(module__isnull=False).count() == 8
