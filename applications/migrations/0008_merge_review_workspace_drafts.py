"""Joins two migrations written side by side: the review workspace (assignments, conflicts,
requests to the applicant, the rubric) and drafts that keep what was typed wrongly. Neither
touches the other's fields."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0007_application_invalid_input"),
        ("applications", "0007_review_assignments_conflicts_requests_rubric"),
    ]

    operations = []
