"""The pages app's share of a creator's data (registered in apps.py)."""

from pages.models import SYNC_BOOKKEEPING_FIELDS, Page

# Columns left out of the export: row identifiers and the parent row (implied
# by nesting), and the syncer's bookkeeping. A test holds every model field
# to being exported or listed here.
NOT_EXPORTED = {
    "pages.Page": {"id", "user", *SYNC_BOOKKEEPING_FIELDS},
    "pages.Link": {"id", "page"},
    "pages.Video": {"id", "page"},
    "pages.PageStat": {"id", "page"},
}


def export(user):
    """The page with its links, videos and daily stats."""
    page = Page.objects.filter(user=user).first()
    return {"page": page.export() if page else None}


def erase(user):
    """The page, its links, videos and stats; image files go after the commit."""
    Page.objects.filter(user=user).delete()


def overview(request):
    """The page and when it was and will be synced, for "Your data" and the delete page."""
    page = Page.objects.select_related("user").filter(user=request.user).first()
    return {
        "page": page,
        "last_fetched": page.last_synced_at if page else None,
        "next_fetch": page.next_sync_at() if page else None,
    }
