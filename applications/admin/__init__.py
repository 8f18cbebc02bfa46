"""The reviewers' tool: the operator's unit reads, notes, scores and decides applications here.

A package, one module per concern, so that no part outgrows a reading: the list (filters, export,
score columns), the application's page and its inlines, the decisions, the mail templates.
Importing it registers the model admins (Django's admin autodiscovery imports ``applications.admin``).
"""

from .application import ApplicationAdmin
from .mail_templates import MailTemplateAdmin
from .rubric import RubricCriterionAdmin

__all__ = ["ApplicationAdmin", "MailTemplateAdmin", "RubricCriterionAdmin"]
