"""An import's report as text, for the management command (the admin shows it as a page)."""

from django.utils.translation import gettext as _

from .engine import Report


def render_text(report: Report) -> str:
    lines = [_("Datei: %(name)s (SHA-256 %(sha)s)") % {"name": report.file_name, "sha": report.sha256}]
    if report.kind is not None:
        lines.append(_("Vorlage: %(kind)s") % {"kind": report.kind.label})
    lines += [_("Fehler: %(message)s") % {"message": message} for message in report.file_errors]
    for row in report.rows:
        lines.append(
            _("Zeile %(line)s: %(outcome)s – %(summary)s")
            % {"line": row.line, "outcome": row.outcome_label, "summary": "; ".join(row.summary) or "–"}
        )
        for error in row.errors:
            lines.append(
                "  "
                + _("Zeile %(line)s, Spalte %(column)s (%(header)s): %(message)s")
                % {
                    "line": error.line,
                    "column": error.column,
                    "header": error.header,
                    "message": error.message,
                }
            )
    counts = report.counts
    lines.append(
        _("%(created)s neu, %(changed)s geändert, %(unchanged)s unverändert, %(failed)s mit Fehlern.")
        % counts
    )
    if report.written:
        lines.append(_("Importiert."))
    elif report.ok:
        lines.append(_("Probelauf: Nichts wurde gespeichert. Zum Import bestätigen Sie den Lauf."))
    else:
        lines.append(
            _("Nichts wurde gespeichert. Bitte korrigieren Sie die Fehler und laden Sie die Datei erneut.")
        )
    return "\n".join(lines)
