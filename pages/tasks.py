from django.tasks import task


@task()
def refresh_page(page_id):
    """Refresh one page from TikTok (built in pages/sync.py)."""
