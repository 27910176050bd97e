from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from pages import cache as page_cache
from pages import publish, suspending
from pages.models import (
    SYNC_BOOKKEEPING_FIELDS,
    AbuseReport,
    Appeal,
    BlockedDomain,
    Link,
    ModerationDecision,
    Page,
    Video,
)
from pages.suspensions import REASONS as SUSPENSION_REASONS
from pages.sync import schedule as syncing


class LinkInline(admin.TabularInline):
    model = Link
    extra = 0
    fields = ["title", "url", "position", "enabled", "starts_at", "ends_at", "clicks"]
    readonly_fields = ["clicks"]


class ModerationDecisionInline(admin.TabularInline):
    """Who decided what about the page, newest first."""

    model = ModerationDecision
    extra = 0
    can_delete = False
    fields = ["created", "decided_by", "action", "reason", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PageAdminForm(forms.ModelForm):
    """The admin's page form (the admin supplies the model and its fields)."""

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Page.is_reserved(slug):
            raise forms.ValidationError("This address is reserved for the site.")
        taken = Page.at_address(slug).exclude(pk=self.instance.pk)
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
    inlines = [LinkInline, ModerationDecisionInline]
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
        publish.page_changed(form.instance, old_slugs=getattr(form.instance, "old_slugs", []))

    @admin.action(description="Suspend the selected pages (visitors get “unavailable”)…")
    def suspend(self, request, queryset):
        return ask_reason_and_suspend(self, request, list(queryset), "suspend")

    @admin.action(description="Unsuspend the selected pages")
    def unsuspend(self, request, queryset):
        pages = list(queryset)
        suspending.unsuspend(pages, by=request.user)
        self.message_user(
            request,
            ngettext("Unsuspended %d page.", "Unsuspended %d pages.", len(pages)) % len(pages),
        )

    @admin.action(description="Sync the selected pages now")
    def force_sync(self, request, queryset):
        queued = 0
        for page in queryset:
            queued += page.can_sync() and syncing.start(page.pk, stale_only=False, manual=True)
        level = messages.SUCCESS if queued else messages.WARNING
        self.message_user(
            request,
            ngettext("Queued %d sync", "Queued %d syncs", queued) % queued
            + "; paused or busy pages were skipped.",
            level,
        )


class SuspendForm(forms.Form):
    reason = forms.ChoiceField(
        choices=SUSPENSION_REASONS,
        widget=forms.RadioSelect,
        help_text="Visitors of the page read this reason.",
    )
    note = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What to tell the creator",
        help_text="Shown on the creator's dashboard beside the reason, never to visitors.",
    )


def ask_reason_and_suspend(model_admin, request, pages, action, initial=None):
    """The suspend actions ask a reason first (a second screen); None once done."""
    form = SuspendForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        suspending.suspend(pages, by=request.user, reason=data["reason"], note=data["note"])
        reason = dict(SUSPENSION_REASONS)[data["reason"]]
        model_admin.message_user(
            request,
            ngettext("Suspended %d page", "Suspended %d pages", len(pages)) % len(pages)
            + f": {reason}.",
        )
        return None
    if not form.is_bound and initial in dict(SUSPENSION_REASONS):
        form = SuspendForm(initial={"reason": initial})
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Why are these pages suspended?",
        "opts": model_admin.model._meta,
        "form": form,
        "pages": pages,
        "action": action,
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/pages/suspend.html", context)


class BumpOnSave:
    """Admin changes to what a page shows are visible on its next view."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        publish.page_changed(obj.page)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        publish.page_changed(obj.page)


@admin.register(Link)
class LinkAdmin(BumpOnSave, admin.ModelAdmin):
    list_display = ["title", "kind", "url", "page", "enabled", "clicks"]
    search_fields = ["title", "url", "page__slug"]
    list_filter = ["enabled", "kind"]
    raw_id_fields = ["page"]
    readonly_fields = ["icon", "icon_checked_at"]


@admin.register(Video)
class VideoAdmin(BumpOnSave, admin.ModelAdmin):
    list_display = ["external_id", "title", "page", "create_time", "hidden", "pinned"]
    search_fields = ["external_id", "title", "page__slug"]
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
        self.message_user(
            request,
            ngettext("Marked %d report as resolved.", "Marked %d reports as resolved.", resolved)
            % resolved,
        )

    @admin.action(description="Suspend the reported pages and resolve…")
    def suspend_pages(self, request, queryset):
        pages = list(Page.objects.filter(pk__in=queryset.values("page")))
        reasons = set(queryset.values_list("reason", flat=True))
        answer = ask_reason_and_suspend(
            self,
            request,
            pages,
            "suspend_pages",
            initial=next(iter(reasons)) if len(reasons) == 1 else None,
        )
        if answer is None:
            queryset.update(resolved=True)
        return answer


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "reason", "created", "links_to_it"]
    search_fields = ["domain"]

    @admin.display(description="Links pointing to it")
    def links_to_it(self, obj):
        return Link.objects.filter(url__icontains=f"{obj.domain}").count()


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Suspended creators' appeals, open ones first."""

    list_display = ["page", "created", "status", "page_reason", "short_message"]
    list_filter = ["status"]
    search_fields = ["page__slug", "message"]
    readonly_fields = ["page", "created", "message", "status", "decided_at"]
    actions = ["grant", "refuse"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("page")

    def has_add_permission(self, request):
        return False

    @admin.display(description="Suspended for")
    def page_reason(self, obj):
        return obj.page.get_suspended_for_display() or "–"

    @admin.display(description="Message")
    def short_message(self, obj):
        return obj.message[:120]

    @admin.action(description="Grant: unsuspend the pages")
    def grant(self, request, queryset):
        pages = list(Page.objects.filter(pk__in=queryset.filter(status=Appeal.OPEN).values("page")))
        suspending.unsuspend(pages, by=request.user, note="Appeal granted")
        self.message_user(
            request,
            ngettext(
                "Granted %d appeal; the page is back up.",
                "Granted %d appeals; the pages are back up.",
                len(pages),
            )
            % len(pages),
        )

    @admin.action(description="Refuse: the pages stay suspended")
    def refuse(self, request, queryset):
        count = queryset.filter(status=Appeal.OPEN).count()
        suspending.refuse_appeals(queryset, by=request.user)
        self.message_user(
            request, ngettext("Refused %d appeal.", "Refused %d appeals.", count) % count
        )
