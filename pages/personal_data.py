"""The pages app's share of a creator's data (registered in apps.py)."""

from django.apps import apps
from django.db import transaction

from pages import cache as page_cache
from pages.media import files as media
from pages.media.share_image import render_share_image
from pages.models import SYNC_BOOKKEEPING_FIELDS, Page
from pages.sync.tasks import sync_page

# Columns left out of the export: row identifiers and the parent row (implied
# by nesting), and the syncer's bookkeeping. A test holds every model field
# to being exported or listed here.
NOT_EXPORTED = {
    "pages.Page": {"id", "user", "username_address", *SYNC_BOOKKEEPING_FIELDS},
    "pages.Link": {"id", "page"},
    "pages.Video": {"id", "page"},
    "pages.ChangeNote": {"id", "page"},
    "pages.FormerAddress": {"id", "page"},
    "pages.Transfer": {"id", "page"},
    "pages.ModerationDecision": {"id", "page", "decided_by"},  # which admin is not the creator's
    "pages.Appeal": {"id", "page"},
}


def export(user):
    """The page with its links and videos."""
    page = Page.objects.filter(user=user).first()
    return {"page": page.export() if page else None}


def erase(user):
    """The page, its links and videos (image files go after the commit, then
    its folder; its counts go with it), and what is kept beside them: its
    cache entries of every version and its finished sync tasks. The stats
    and public apps erase their own before (they run first)."""
    for page_id, slug, version in Page.objects.filter(user=user).values_list(
        "pk", "slug", "version"
    ):
        page_cache.forget_page(page_id, slug, version)
        _delete_sync_tasks(page_id)
        # After the files' own deletions, which also wait for the commit.
        transaction.on_commit(lambda page_id=page_id: media.delete_page_files(page_id), robust=True)
    Page.objects.filter(user=user).delete()


def _delete_sync_tasks(page_id):
    """The database queue's rows of this page's syncs and share pictures
    (their first argument is its id)."""
    if not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult  # used only with the database queue

    paths = [sync_page.module_path, render_share_image.module_path]
    rows = DBTaskResult.objects.filter(task_path__in=paths).values_list("pk", "args_kwargs")
    ids = [pk for pk, call in rows.iterator() if ((call or {}).get("args") or [None])[0] == page_id]
    DBTaskResult.objects.filter(pk__in=ids).delete()


def overview(request):
    """The page and when it was and will be synced, for "Your data" and the delete page."""
    page = Page.objects.select_related("user").filter(user=request.user).first()
    return {
        "page": page,
        "last_fetched": page.last_synced_at if page else None,
        "next_fetch": page.next_sync_at() if page else None,
        "change_notes": list(page.change_notes.all()[:50]) if page else [],
        "transfers": list(page.transfers.all()[:30]) if page else [],
    }
