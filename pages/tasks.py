from django.tasks import task


@task()
def refresh_page(page_id):
    """Refresh one page from TikTok; the caller holds the page's refresh lease."""
    from pages.models import Page
    from pages.sync import refresh_page as sync_page

    page = Page.objects.select_related("user").filter(pk=page_id).first()
    if page is None:
        return "gone"
    return sync_page(page)
