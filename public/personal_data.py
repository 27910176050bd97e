"""The public app's share of a creator's data (registered in apps.py): the
counters of the reports visitors sent about their page."""

from pages.models import Page
from public import reports


def erase(user):
    for page_id in Page.objects.filter(user=user).values_list("pk", flat=True):
        reports.forget_page(page_id)
