"""What the modules app does when other data changes: a seat confirmed, declined or removed changes
the landing page's running totals, which are cached until then (``selectors.landing``)."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cohorts.models import Cohort, Enrollment

from .selectors import totals_key


@receiver([post_save, post_delete], sender=Enrollment)
def forget_totals(sender, instance: Enrollment, **kwargs) -> None:
    """Drop the cached totals of the enrollment's programme; the next landing page counts again."""
    programme_id = Cohort.objects.filter(pk=instance.cohort_id).values_list("programme_id", flat=True).first()
    if programme_id is not None:
        cache.delete(totals_key(programme_id))
