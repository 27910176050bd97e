"""The creator's Stats tab and its CSV download (numbers: stats/report.py)."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from pages.models import Page
from stats import charts
from stats import report as stats_report


@login_required
@require_safe
def stats(request):
    """Views, visitors, clicks and plays of the last 7, 30 or 90 days."""
    page = Page.objects.filter(user=request.user).first()
    if page is None:
        return render(request, "pages/no_page.html", {})
    days = stats_report.period_of(request.GET.get("days"))
    report = stats_report.report(page, days)
    hours = stats_report.last_hours(page)
    context = {
        "page": page,
        "report": report,
        "periods": stats_report.PERIODS,
        "chart": charts.line_chart(report["series"], lambda day: day.strftime("%-d %b")),
        "hours": hours,
        "retention": stats_report.retention(),
        "hours_chart": charts.line_chart(hours, lambda hour: hour.strftime("%-d %b %H:00")),
    }
    return render(request, "pages/stats.html", context)


@login_required
@require_safe
def stats_csv(request):
    """The page's daily rows as CSV, long form: day,metric,subject,count,title."""
    page = Page.objects.filter(user=request.user).first()
    if page is None:
        raise Http404("No page")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{page.slug}-stats.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(stats_report.CSV_HEADER)
    for day, metric, subject, count, title in stats_report.csv_rows(page):
        writer.writerow((day, metric, _spreadsheet_safe(subject), count, _spreadsheet_safe(title)))
    return response


def _spreadsheet_safe(text):
    """A title starting with =, +, - or @ would run as a formula in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
