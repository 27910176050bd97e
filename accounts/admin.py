from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiCall, TikTokConnection, User
from pages import cache as page_cache

admin.site.register(User, UserAdmin)


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
        queryset.update(sync_paused=True)
        page_cache.publish_pages_of(queryset.values("user"))

    @admin.action(description="Resume syncing")
    def resume_sync(self, request, queryset):
        queryset.update(sync_paused=False)
        page_cache.publish_pages_of(queryset.values("user"))


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
