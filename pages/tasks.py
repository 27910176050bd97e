from django.tasks import task

from pages import share_image
from pages.models import Page


@task()
def sync_page(page_id):
    """Sync one page from its source; the caller holds the page's sync lease."""
    from pages.sync import update_page  # a real cycle: sync -> syncing -> this module

    page = Page.objects.select_related("user").filter(pk=page_id).first()
    if page is None:
        return "gone"
    return update_page(page)


@task()
def render_share_image(page_id):
    """Make the page's share picture (og:image) again if what it shows changed."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return "gone"
    return "made" if share_image.refresh(page) else "current"
