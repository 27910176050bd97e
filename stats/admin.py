from django.contrib import admin
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast

from pages.models import Link, Video
from stats import metrics
from stats import report as stats_report
from stats.models import DailyCount


@admin.register(DailyCount)
class DailyCountAdmin(admin.ModelAdmin):
    """The pages' daily counts, read-only, with site-wide totals and the busiest pages."""

    change_list_template = "admin/pages/dailycount/change_list.html"
    list_display = ["day", "page", "metric", "what", "count"]
    list_filter = ["metric", "day"]
    search_fields = ["page__slug"]
    date_hierarchy = "day"
    list_select_related = ["page"]

    def get_queryset(self, request):
        # The subject of a link's or a video's count is its id: the list shows its title.
        links = Link.objects.annotate(key=Cast("pk", CharField())).filter(
            page=OuterRef("page"), key=OuterRef("subject")
        )
        videos = Video.objects.filter(page=OuterRef("page"), external_id=OuterRef("subject"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                link_title=Subquery(links.values("title")[:1]),
                video_title=Subquery(videos.values("title")[:1]),
            )
        )

    @admin.display(description="Subject", ordering="subject")
    def what(self, obj):
        if obj.metric == "link_clicks" and obj.subject:
            return f"{obj.link_title or 'deleted link'} (link {obj.subject})"
        if metrics.subject_of(obj.metric) == "video" and obj.subject:
            return f"{obj.video_title or 'untitled video'} (video {obj.subject})"
        return obj.subject or "(page total)"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), **stats_report.site_wide()}
        return super().changelist_view(request, extra_context)
