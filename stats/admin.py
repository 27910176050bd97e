from django.contrib import admin

from stats import report as stats_report
from stats.models import DailyCount


@admin.register(DailyCount)
class DailyCountAdmin(admin.ModelAdmin):
    """The pages' daily counts, read-only, with site-wide totals and the busiest pages."""

    change_list_template = "admin/pages/dailycount/change_list.html"
    list_display = ["day", "page", "metric", "subject", "count"]
    list_filter = ["metric", "day"]
    search_fields = ["page__slug"]
    date_hierarchy = "day"
    list_select_related = ["page"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), **stats_report.site_wide()}
        return super().changelist_view(request, extra_context)
