import time
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.utils import timezone

from sources.tiktok import breakers, budget, refusal_guard
from sources.tiktok.models import ApiBudget, ApiCall, TikTokConnection, WebhookEvent


@admin.register(TikTokConnection)
class TikTokConnectionAdmin(admin.ModelAdmin):
    """Connections without their tokens: those are never shown, not even encrypted."""

    list_display = [
        "user",
        "open_id",
        "status",
        "sync_paused",
        "scope_list",
        "access_expires_at",
        "refresh_expires_at",
        "updated",
    ]
    list_filter = ["status", "sync_paused"]
    search_fields = ["user__username", "open_id", "union_id"]
    list_select_related = ["user"]
    fields = [
        "user",
        "open_id",
        "union_id",
        "scopes",
        "status",
        "last_error",
        "sync_paused",
        "access_expires_at",
        "refresh_expires_at",
        "last_refreshed_at",
        "removed_reason",
        "removed_at",
        "erase_after",
        "permission_missed_at",
        "created",
        "updated",
    ]
    readonly_fields = [f for f in fields if f != "sync_paused"]
    actions = ["pause_sync", "resume_sync"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    @admin.action(description="Pause syncing")
    def pause_sync(self, request, queryset):
        queryset.set_sync_paused(True)

    @admin.action(description="Resume syncing")
    def resume_sync(self, request, queryset):
        queryset.set_sync_paused(False)


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    """The TikTok API call log, read-only."""

    list_display = [
        "created",
        "endpoint",
        "user",
        "page_id",
        "http_status",
        "error_code",
        "log_id",
        "duration_ms",
    ]
    list_filter = ["endpoint", "error_code", "created"]
    search_fields = ["user__username", "log_id", "open_id"]
    date_hierarchy = "created"
    list_select_related = ["user"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiBudget)
class ApiBudgetAdmin(admin.ModelAdmin):
    """The TikTok API budget in use, per endpoint."""

    list_display = ["endpoint", "calls_last_minute", "available_now", "limits", "circuit"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        now = time.time()
        for endpoint in budget.ENDPOINTS:
            ApiBudget.objects.get_or_create(
                endpoint=endpoint, defaults={"tokens": budget.capacity(), "updated": now}
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description="Calls in the last minute (all callers)")
    def calls_last_minute(self, obj):
        since = timezone.now() - timedelta(minutes=1)
        return ApiCall.objects.filter(endpoint=obj.endpoint, created__gte=since).count()

    @admin.display(description="Sync calls available now")
    def available_now(self, obj):
        return budget.available(obj.endpoint)

    @admin.display(description="Limits")
    def limits(self, obj):
        return (
            f"TikTok {settings.TIKTOK_RATE_LIMIT_PER_MINUTE}/min; syncs burst "
            f"{int(budget.capacity())}, then {budget.rate_per_second() * 60:.0f}/min"
        )

    @admin.display(description="Circuit")
    def circuit(self, obj):
        until = breakers.open_until(obj.endpoint)
        if until > time.time():
            return f"open for {int(until - time.time())} s"
        return "closed"


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """The events TikTok's webhooks delivered, read-only."""

    list_display = ["received", "event", "reason", "open_id", "deliveries", "handled_at", "outcome"]
    list_filter = ["event", "reason"]
    search_fields = ["open_id"]
    date_hierarchy = "received"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(refusal_guard.RefreshAlert)
class RefreshAlertAdmin(admin.ModelAdmin):
    """Refreshes refused for many creators at once; clearing one resumes refreshes."""

    list_display = [
        "code",
        "creators",
        "refusals",
        "first_at",
        "last_at",
        "tiktok_log_ids",
        "cleared_at",
        "cleared_by",
    ]
    list_filter = ["code"]
    actions = ["clear"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="TikTok log_ids")
    def tiktok_log_ids(self, obj):
        return ", ".join(obj.log_ids)

    @admin.action(description="Clear: the cause is fixed, resume refreshes")
    def clear(self, request, queryset):
        cleared = refusal_guard.clear(queryset, by=request.user.get_username())
        self.message_user(request, f"Cleared {cleared} alert(s): refreshes resume.")
