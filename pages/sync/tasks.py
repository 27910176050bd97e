"""The background task of a sync: run by a worker under the lease its claim took."""

from django.tasks import task

from pages.models import Page
from pages.sync import leases
from pages.sync.reconcile import update_page


@task()
def sync_page(page_id, lease=""):
    """Sync one page from its source under the lease its claim took
    (pages/sync/leases.py); a task that no longer holds it does nothing."""
    if not leases.hold(page_id, lease):
        # Run again after its worker died, and the page was claimed (or
        # synced and given back) since: that sync is the page's.
        return "not ours"
    page = Page.objects.select_related("user").filter(pk=page_id).first()
    if page is None:
        return "gone"
    return update_page(page, lease)
