"""The group's mails in the outbox's list. Contact messages name no related object, so only
superusers see them in the outbox; coordinators do not read members' private messages."""

from django.utils.translation import gettext_lazy

from portal.mail import register_kind_label

register_kind_label("community-contact", gettext_lazy("Netzwerk: Nachricht über das Verzeichnis"))
register_kind_label("community-suspended", gettext_lazy("Netzwerk: Sperre"))
register_kind_label("community-lifted", gettext_lazy("Netzwerk: Sperre aufgehoben"))
register_kind_label("community-project", gettext_lazy("Netzwerk: Projekt freigegeben oder abgelehnt"))
register_kind_label("community-moderation", gettext_lazy("Netzwerk: Moderation eines Beitrags"))
register_kind_label("community-digest", gettext_lazy("Netzwerk: Wochenübersicht des Austauschs"))
register_kind_label("community-testimonial", gettext_lazy("Netzwerk: Eindruck freigegeben oder abgelehnt"))
