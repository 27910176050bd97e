"""Image files and cached pages go with their rows (also when a user's
deletion cascades); a newly connected creator gets a page and a first sync;
the pages follow their creator's connection."""

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from pages import cache as page_cache
from pages import cdn, publish
from pages.models import BlockedDomain, Link, Page, RetiredImage, Video
from pages.source import creator_connected, source_account_closed, sync_allowed_changed
from pages.suspensions import SOURCE_CLOSED
from pages.sync import schedule as syncing


def _delete_after_commit(fieldfile):
    if fieldfile:
        storage, name = fieldfile.storage, fieldfile.name
        # A storage that fails (a bucket out of reach) leaves a file behind, not an error page.
        transaction.on_commit(lambda: storage.delete(name), robust=True)


@receiver(post_save, sender=Page)
def show_new_page(sender, instance, created, **kwargs):
    """A new page's address is served at once, in every process, even where a
    visit lately found no page there."""
    if created:
        page_cache.forget_slug(instance.slug)
        transaction.on_commit(lambda: page_cache.forget_slug(instance.slug))


@receiver(post_delete, sender=Page)
def delete_page_files(sender, instance, **kwargs):
    _delete_after_commit(instance.avatar)
    _delete_after_commit(instance.share_image)


@receiver(pre_delete, sender=Page)
def purge_deleted_page(sender, instance, **kwargs):
    """A CDN forgets a deleted page and its images (they are still listed now)."""
    cdn.purge_after_commit(instance, with_images=True)


@receiver(post_delete, sender=Page)
def forget_deleted_page(sender, instance, **kwargs):
    """A deleted page stops being served at once, not when its cache entry expires."""
    page_cache.forget_slug(instance.slug)
    transaction.on_commit(lambda: page_cache.forget_slug(instance.slug))


@receiver(post_delete, sender=Link)
def delete_link_icon(sender, instance, **kwargs):
    _delete_after_commit(instance.icon)


@receiver(post_delete, sender=Video)
def delete_video_files(sender, instance, **kwargs):
    _delete_after_commit(instance.cover)


@receiver(post_delete, sender=RetiredImage)
def delete_retired_image(sender, instance, **kwargs):
    if getattr(instance, "keep_file", False):
        return
    name = instance.name
    transaction.on_commit(lambda: default_storage.delete(name), robust=True)


@receiver(creator_connected)
def make_page_and_sync(sender, user, profile, **kwargs):
    """A creator signed in: their page exists (made from the profile the first
    time), and its first sync starts once the sign-in is stored, taking the
    page's lease like every other sync."""
    page = Page.objects.filter(user=user).first() or Page.create_for(user, profile, sender)
    transaction.on_commit(
        lambda: syncing.start(page.pk, stale_only=False, manual=True), robust=True
    )


@receiver(sync_allowed_changed)
def follow_connection(sender, user_ids, **kwargs):
    """Connecting, pausing or disconnecting decides whether visits of a page
    ask for syncs: its cached state follows at once, and a page allowed to
    sync again is back on the scheduler's list at its usual moment."""
    page_cache.publish_pages_of(user_ids)
    Page.objects.filter(user__in=user_ids).syncable().reschedule()


@receiver(source_account_closed)
def suspend_closed_account(sender, user_id, reason, **kwargs):
    """The creator's account is gone or held at the source: their pages answer
    410 at once and wait for an admin (or the deletion of the account). Not a
    breach of our terms: visitors read that the page is not available, the
    creator reads the source's note, the admins `reason`."""
    for page in Page.objects.filter(user_id=user_id, is_suspended=False):
        page.is_suspended = True
        page.suspended_for = SOURCE_CLOSED
        page.suspended_reason = reason[:200]
        page.save(update_fields=["is_suspended", "suspended_for", "suspended_reason"])
        publish.page_changed(page)


@receiver(pre_save, sender=BlockedDomain)
def remember_blocked_domain(sender, instance, **kwargs):
    instance._previous_domain = (
        BlockedDomain.objects.filter(pk=instance.pk).values_list("domain", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=BlockedDomain)
@receiver(post_delete, sender=BlockedDomain)
def show_blocked_domain_change(sender, instance, **kwargs):
    """Blocking or unblocking a site shows on the pages linking to it at once."""
    domains = {instance.domain, getattr(instance, "_previous_domain", None)} - {None, ""}
    page_ids = set()
    for domain in domains:
        page_ids.update(
            Link.objects.filter(url__icontains=domain).values_list("page_id", flat=True)
        )
        page_ids.update(
            Video.objects.filter(link_url__icontains=domain).values_list("page_id", flat=True)
        )
    if page_ids:
        Page.objects.filter(pk__in=page_ids).update(version=F("version") + 1)
        for page in Page.objects.filter(pk__in=page_ids).only("pk", "slug"):
            page_cache.publish_after_commit(page.pk)
            cdn.purge_after_commit(page)
