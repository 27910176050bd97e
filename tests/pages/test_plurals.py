"""One is one: "1 view", "1 click", "1 follower", never "1 views"."""

import pytest
from django.utils import timezone

from pages import publish
from tests.helpers import page_of

pytestmark = pytest.mark.django_db


def test_counts_of_one_read_in_the_singular(alice, client, visitor):
    page = page_of(alice)
    page.follower_count, page.show_follower_count = 1, True
    page.save()
    page.videos.create(external_id="7301", title="First", create_time=timezone.now(), view_count=1)
    today = timezone.now().date()
    page.daily_counts.create(day=today, metric="views", count=1)
    page.daily_counts.create(day=today, metric="link_clicks", subject="1", count=1)
    publish.page_changed(page)
    client.force_login(alice)

    dashboard = client.get("/dashboard/").content.decode()
    videos = client.get("/dashboard/videos/").content.decode()
    public = visitor.get("/@alice").content.decode()

    assert "<strong>1</strong> view, <strong>1</strong> click." in dashboard
    assert "· 1 view" in videos and "1 views" not in videos
    assert "1 follower<" in public and '<span class="pf-views">1 view</span>' in public
