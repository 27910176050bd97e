from django import forms
from django.contrib import admin, messages
from django.db import transaction

from pages import cache as page_cache
from pages.models import (
    SYNC_BOOKKEEPING_FIELDS,
    AbuseReport,
    BlockedDomain,
    Link,
    Page,
    Video,
)
from pages.sync import schedule as syncing


class LinkInline(admin.TabularInline):
    model = Link
    extra = 0
    fields = ["title", "url", "position", "enabled", "starts_at", "ends_at", "clicks"]
    readonly_fields = ["clicks"]


class PageAdminForm(forms.ModelForm):
    """The admin's page form (the admin supplies the model and its fields)."""

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Page.is_reserved(slug):
            raise forms.ValidationError("This address is reserved for the site.")
        taken = Page.objects.filter(slug__iexact=slug).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Another page has this address.")
        return slug


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageAdminForm
    list_display = [
        "slug",
        "display_name",
        "user",
        "is_suspended",
        "is_showcased",
        "last_synced_at",
        "last_sync_error",
    ]
    list_filter = ["is_suspended", "is_showcased", "theme"]
    search_fields = ["slug", "display_name", "username", "user__username"]
    inlines = [LinkInline]
    actions = ["suspend", "unsuspend", "force_sync"]
    readonly_fields = [
        "avatar",
        "avatar_source",
        "share_image",
        "last_synced_at",
        "last_sync_error",
        *SYNC_BOOKKEEPING_FIELDS,
    ]

    def save_model(self, request, obj, form, change):
        old_slug = form.initial.get("slug") if change else None
        super().save_model(request, obj, form, change)
        if "is_suspended" in form.changed_data and not obj.is_suspended:
            Page.objects.filter(pk=obj.pk).syncable().reschedule()
        obj.old_slugs = []
        if old_slug and old_slug != obj.slug:
            # The old address stops serving the page now, not when its cache entry expires.
            page_cache.forget_slug(old_slug)
            transaction.on_commit(lambda: page_cache.forget_slug(old_slug))
            obj.old_slugs = [old_slug]  # and a CDN forgets it with the bump below

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.bump_version(old_slugs=getattr(form.instance, "old_slugs", []))

    @admin.action(description="Suspend the selected pages (visitors get “unavailable”)")
    def suspend(self, request, queryset):
        self._set_suspended(request, queryset, True, "Suspended")

    @admin.action(description="Unsuspend the selected pages")
    def unsuspend(self, request, queryset):
        self._set_suspended(request, queryset, False, "Unsuspended")

    def _set_suspended(self, request, queryset, suspended, done):
        pages = list(queryset)
        for page in pages:
            page.is_suspended = suspended
            page.save(update_fields=["is_suspended"])
            page.bump_version()
        if not suspended:
            # By id: the list's own filter (say "suspended: yes") no longer holds.
            Page.objects.filter(pk__in=[page.pk for page in pages]).syncable().reschedule()
        self.message_user(request, f"{done} {len(pages)} page(s).")

    @admin.action(description="Sync the selected pages now")
    def force_sync(self, request, queryset):
        queued = 0
        for page in queryset:
            queued += page.can_sync() and syncing.start(page.pk, stale_only=False, manual=True)
        level = messages.SUCCESS if queued else messages.WARNING
        self.message_user(
            request, f"Queued {queued} sync(s); paused or busy pages were skipped.", level
        )


class BumpOnSave:
    """Admin changes to what a page shows are visible on its next view."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.page.bump_version()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        obj.page.bump_version()


@admin.register(Link)
class LinkAdmin(BumpOnSave, admin.ModelAdmin):
    list_display = ["title", "kind", "url", "page", "enabled", "clicks"]
    search_fields = ["title", "url", "page__slug"]
    list_filter = ["enabled", "kind"]
    raw_id_fields = ["page"]
    readonly_fields = ["icon", "icon_checked_at"]


@admin.register(Video)
class VideoAdmin(BumpOnSave, admin.ModelAdmin):
    list_display = ["tiktok_id", "title", "page", "create_time", "hidden", "pinned"]
    search_fields = ["tiktok_id", "title", "page__slug"]
    list_filter = ["hidden", "pinned"]
    raw_id_fields = ["page"]
    readonly_fields = ["cover", "cover_source"]


@admin.register(AbuseReport)
class AbuseReportAdmin(admin.ModelAdmin):
    list_display = ["page", "reason", "created", "repeats", "resolved"]
    list_filter = ["resolved", "reason"]
    search_fields = ["page__slug", "message"]
    readonly_fields = ["page", "reason", "message", "created", "repeats"]
    actions = ["resolve", "suspend_pages"]

    @admin.action(description="Mark as resolved")
    def resolve(self, request, queryset):
        resolved = queryset.filter(resolved=False).update(resolved=True)
        self.message_user(request, f"Marked {resolved} report(s) as resolved.")

    @admin.action(description="Suspend the reported pages and resolve")
    def suspend_pages(self, request, queryset):
        for report in queryset.select_related("page"):
            report.page.is_suspended = True
            report.page.save(update_fields=["is_suspended"])
            report.page.bump_version()
        queryset.update(resolved=True)


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "reason", "created", "links_to_it"]
    search_fields = ["domain"]

    @admin.display(description="Links pointing to it")
    def links_to_it(self, obj):
        return Link.objects.filter(url__icontains=f"{obj.domain}").count()
