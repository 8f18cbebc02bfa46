"""The reviewers' export read as plain rows: the cells :class:`~.lists.ApplicationResource`'s
fields export, from one ``values_list`` of the columns they read, without a model instance per
row and without import-export's lookup of every cell (most of a long export's time).

Each cell is made by the field's own widget (``widget.render``) from the value the field would
read; cells of columns with few distinct values (choice labels, counts, mean scores) are made
once per value and export. For the CSV the cells come already made safe for a spreadsheet
(:func:`portal.web.spreadsheets.neutralise`); for the XLSX they are the native values that
:func:`portal.web.spreadsheets.write_xlsx` protects itself. The generic path
(:func:`portal.web.spreadsheets.row_exporter`) stays the reference the tests compare with.
"""

import datetime as dt
import itertools
from collections import namedtuple
from operator import itemgetter

from django.conf import settings
from django.db import connections
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import sanitize_strftime_format
from import_export import widgets

from portal.accounts.models import User
from portal.models import Municipality
from portal.web.spreadsheets import neutralise, neutralise_text

# The few attributes the models' own methods read, so that those methods make the text.
_Person = namedtuple("_Person", ["first_name", "last_name"])
_Place = namedtuple("_Place", ["name", "district"])
_TEXT_WIDGETS = (widgets.Widget, widgets.CharWidget)
_FEW_VALUES = (widgets.NumberWidget,)


class _Once(dict):
    """A cell per distinct value, made on first use."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, value):
        cell = self[value] = self.make(value)
        return cell


def _as_is(value):
    return value


def _text(finish):
    """Text as ``Widget``/``CharWidget`` render it: itself, and None as an empty cell."""
    if finish is _as_is:
        return lambda value: "" if value is None else value

    def cell(value):
        return "" if value is None else finish(value)

    return cell


def _name(finish):
    """``applicant__get_full_name``: the account's full name, empty without an account."""
    full_name = User.get_full_name

    def cell(account, first_name, last_name):
        if account is None:
            return ""
        return finish(full_name(_Person(first_name, last_name)))

    return cell


def _employer(finish):
    """``employer_display``: the municipality as it names itself, or the other employer."""
    places = _Once(lambda place: finish(Municipality.__str__(_Place(*place))))
    text = _text(finish)

    def cell(municipality, name, district, other_employer):
        if municipality is None:
            return text(other_employer)
        return places[(name, district)]

    return cell


# Columns whose field reads more than one stored value.
_COMPOSED = {
    "applicant__get_full_name": (("applicant_id", "applicant__first_name", "applicant__last_name"), _name),
    "employer_display": (
        ("municipality_id", "municipality__name", "municipality__district", "other_employer"),
        _employer,
    ),
}


def _datetime(widget, native: bool, finish):
    """``DateTimeWidget.render`` with the time zone and the format looked up once per export:
    the local time, as text in the widget's format (CSV) or without its zone (XLSX)."""
    zone = timezone.get_current_timezone()
    pattern = sanitize_strftime_format(widget.formats[0])

    # The widget's default format is ISO's, which datetime writes faster than strftime (and
    # which begins with a digit: never a formula).
    iso = widget.formats[0] == "%Y-%m-%d %H:%M:%S"

    def cell(value):
        if not value or not isinstance(value, dt.datetime) or value.utcoffset() is None:
            return finish(widget.render(value, force_native_type=native))  # as the widget says
        local = value.astimezone(zone)
        if native:
            return local.replace(tzinfo=None)
        if iso and local.year >= 1000:
            return local.isoformat(" ", "seconds")[:19]
        return finish(local.strftime(pattern))

    return cell


def _plain(field, native: bool, finish):
    """A field that reads one value under its attribute's name: made by its widget."""
    widget = field.widget
    label = getattr(field, "label", None)
    if label is None and type(widget) in _TEXT_WIDGETS and widget.coerce_to_string:
        return _text(_as_is if native else neutralise_text)
    if (
        label is None
        and type(widget) is widgets.DateTimeWidget
        and widget.coerce_to_string
        and settings.USE_TZ
    ):
        return _datetime(widget, native, finish)

    def make(value):
        if label is not None:
            value = label(value)
        return finish(widget.render(value, force_native_type=native))

    if label is not None or isinstance(widget, _FEW_VALUES):
        return _Once(make).__getitem__
    return make


class RowReader:
    """The export's cells for the chosen columns, a tuple per application. A batch of rows is
    made a column at a time (``map`` over the column's values), not a cell at a time."""

    def __init__(self, lookups: list[str], columns: list):
        self.lookups = ["pk", *lookups]
        # (make a cell, the getters of the values it reads)
        self.columns = [(make, [itemgetter(i) for i in at]) for make, at in columns]

    def _made(self, batch: list) -> list[tuple]:
        if not batch:
            return []
        made = [map(make, *(map(read, batch) for read in reads)) for make, reads in self.columns]
        return list(zip(*made, strict=True))

    def rows(self, queryset, *, chunk_size: int):
        """Every row of ``queryset`` in its order, read a chunk at a time."""
        values = queryset.prefetch_related(None).values_list(*self.lookups).iterator(chunk_size=chunk_size)
        while batch := list(itertools.islice(values, chunk_size)):
            yield from self._made(batch)

    def by_key(self, queryset, keys: list) -> dict:
        """The rows of the given keys, by key, in the statements ``in_bulk`` would use."""
        if not keys:
            return {}
        keys = tuple(keys)
        queryset, lookups = _looked_up_by_key(queryset, self.lookups)
        batch = connections[queryset.db].features.max_query_params or len(keys)
        found = {}
        for offset in range(0, len(keys), min(batch, len(keys))):
            chosen = queryset.filter(pk__in=keys[offset : offset + batch]).order_by().prefetch_related(None)
            values = list(chosen.values_list(*lookups))
            found.update(zip((v[0] for v in values), self._made(values), strict=True))
        return found


# Of a few keys, the accounts' columns are read by a subquery on the account's key each rather
# than by a join: for a batch of a thousand rows PostgreSQL joins by hashing the whole account
# table (hundreds of thousands of rows) once per batch. The values are the same (None without
# an account).
_BY_SUBQUERY = ("applicant",)


def _looked_up_by_key(queryset, lookups: list[str]):
    annotations, read = {}, []
    for lookup in lookups:
        relation, _sep, attribute = lookup.partition("__")
        if relation not in _BY_SUBQUERY or not attribute or "__" in attribute:
            read.append(lookup)
            continue
        field = queryset.model._meta.get_field(relation)
        name = f"export_{relation}_{attribute}"
        annotations[name] = Subquery(
            field.related_model._base_manager.filter(pk=OuterRef(field.attname)).values(attribute)[:1]
        )
        read.append(name)
    return queryset.annotate(**annotations), read


def row_reader(resource, selected_fields, *, native: bool) -> RowReader | None:
    """A reader of the resource's export, or None where a column is not one this module knows
    (a dehydrate method, an attribute that is no lookup): then the generic path exports."""
    finish = _as_is if native else neutralise
    lookups, columns = [], []
    for field in resource.get_export_fields(selected_fields):
        dehydrate = field.get_dehydrate_method(resource.get_field_name(field))
        if callable(dehydrate) or hasattr(resource, dehydrate) or not field.attribute:
            return None
        at = len(lookups) + 1  # after the key
        if field.attribute in _COMPOSED:
            if type(field.widget) not in _TEXT_WIDGETS or not field.widget.coerce_to_string:
                return None
            reads, make = _COMPOSED[field.attribute]
            lookups.extend(reads)
            columns.append((make(_as_is if native else neutralise_text), range(at, at + len(reads))))
        else:
            lookups.append(field.attribute)
            columns.append((_plain(field, native, finish), (at,)))
    return RowReader(lookups, columns) if columns else None
