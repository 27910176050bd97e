from django.tasks import task

from pages.media import favicons, share_image
from pages.models import Link, Page


@task()
def sync_page(page_id, lease=""):
    """Sync one page from its source under the lease its claim took
    (pages/sync/schedule.py); a task that no longer holds it does nothing."""
    from pages.sync import schedule as syncing  # a real cycle: syncing queues this task
    from pages.sync.reconcile import update_page

    if not syncing.hold(page_id, lease):
        # Run again after its worker died, and the page was claimed (or
        # synced and given back) since: that sync is the page's.
        return "not ours"
    page = Page.objects.select_related("user").filter(pk=page_id).first()
    if page is None:
        return "gone"
    return update_page(page, lease)


@task()
def purge_cdn(page_id, keys, urls):
    """Tell the CDN a page changed (pages/cdn.py); never fails."""
    from pages import purges

    return purges.run(page_id, keys, urls)


# On a queue of its own, with its own worker (pages/media/icon_queue.py).
@task(queue_name="icons")
def mirror_link_icon(link_id, host=""):
    """Fetch and store the site icon of one link (once), and of the links
    waiting for the same site's; `host` is the site it was queued for."""
    link = Link.objects.filter(pk=link_id).first()
    if link is None:
        favicons.release(host)
        return "gone"
    return favicons.mirror_icon(link, queued_for=host)


@task()
def render_share_image(page_id):
    """Make the page's share picture (og:image) again if what it shows changed."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return "gone"
    return "made" if share_image.refresh(page) else "current"
