"""The questionnaire after each module becomes the instrument ``modul-feedback``: its five
statements and the comment are the items of version 1, and every stored answer is copied into a
response of that version with the same person (enrollment), module, values and time. Reversible:
going back copies the responses into the old table again.

The evaluation's two permissions are moved to the responses' content type, so that the roles
and groups that hold them keep them when the old model goes."""

from django.db import migrations

KEY = "modul-feedback"
# Old column -> item key of the instrument.
FIELDS = {
    "relevance": "relevanz",
    "clarity": "verstaendlichkeit",
    "practical_task": "praxisaufgabe",
    "online_format": "online_format",
    "overall": "gesamt",
}
COMMENT = "anmerkungen"
CODENAMES = ["view_statistics", "export_pseudonymised"]
CHUNK = 2000


def _move_permissions(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label="evaluation", model=source).first()
    if old is None:
        return
    new, _created = ContentType.objects.get_or_create(app_label="evaluation", model=target)
    Group = apps.get_model("auth", "Group")
    for permission in Permission.objects.filter(content_type=old, codename__in=CODENAMES):
        target = Permission.objects.filter(content_type=new, codename=permission.codename).first()
        if target is None:
            permission.content_type = new
            permission.save(update_fields=["content_type"])
            continue
        for group in Group.objects.filter(permissions=permission):
            group.permissions.add(target)


def _copy_chunk(apps, version, items, chunk) -> None:
    WaveResponse = apps.get_model("evaluation", "WaveResponse")
    Answer = apps.get_model("evaluation", "Answer")
    responses = WaveResponse.objects.bulk_create(
        [
            WaveResponse(
                enrollment_id=old.enrollment_id,
                module_id=old.module_id,
                version=version,
                submitted_at=old.submitted_at,
            )
            for old in chunk
        ]
    )
    answers = []
    for old, response in zip(chunk, responses, strict=True):
        for field, key in FIELDS.items():
            value = getattr(old, field)
            if value is not None:
                answers.append(Answer(response=response, item=items[key], number=value))
        if old.comment:
            answers.append(Answer(response=response, item=items[COMMENT], text=old.comment))
    Answer.objects.bulk_create(answers)


def forward(apps, schema_editor):
    from evaluation.default_instruments import MODULE_QUESTIONNAIRE, install

    Instrument = apps.get_model("evaluation", "Instrument")
    InstrumentVersion = apps.get_model("evaluation", "InstrumentVersion")
    Item = apps.get_model("evaluation", "Item")
    QuestionnaireResponse = apps.get_model("evaluation", "QuestionnaireResponse")
    install(Instrument, InstrumentVersion, Item, specs=[MODULE_QUESTIONNAIRE])
    version = InstrumentVersion.objects.get(instrument__key=KEY, number=1)
    items = {item.key: item for item in Item.objects.filter(version=version)}
    chunk = []
    for old in QuestionnaireResponse.objects.order_by("pk").iterator(chunk_size=CHUNK):
        chunk.append(old)
        if len(chunk) == CHUNK:
            _copy_chunk(apps, version, items, chunk)
            chunk = []
    if chunk:
        _copy_chunk(apps, version, items, chunk)
    _move_permissions(apps, "questionnaireresponse", "waveresponse")


def backward(apps, schema_editor):
    WaveResponse = apps.get_model("evaluation", "WaveResponse")
    Answer = apps.get_model("evaluation", "Answer")
    QuestionnaireResponse = apps.get_model("evaluation", "QuestionnaireResponse")
    Instrument = apps.get_model("evaluation", "Instrument")
    columns = {key: field for field, key in FIELDS.items()}
    values = {}
    for response_id, key, number, text in Answer.objects.filter(response__module__isnull=False).values_list(
        "response_id", "item__key", "number", "text"
    ):
        row = values.setdefault(response_id, {})
        if key == COMMENT:
            row["comment"] = text
        elif key in columns and number is not None and 1 <= number <= 5:
            row[columns[key]] = number
    responses = WaveResponse.objects.filter(module__isnull=False).order_by("pk")
    QuestionnaireResponse.objects.bulk_create(
        [
            QuestionnaireResponse(
                enrollment_id=response.enrollment_id,
                module_id=response.module_id,
                submitted_at=response.submitted_at,
                **values.get(response.pk, {}),
            )
            for response in responses
        ],
        batch_size=CHUNK,
    )
    Answer.objects.filter(response__module__isnull=False).delete()
    responses.delete()
    Instrument.objects.filter(key=KEY, versions__responses__isnull=True).delete()
    _move_permissions(apps, "waveresponse", "questionnaireresponse")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0005_module_responses_in_instrument_storage"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forward, backward)]
