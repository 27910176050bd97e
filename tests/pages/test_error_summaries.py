"""Every form that refuses what was sent says so at the top of the screen,
before any form, each reason a link to its field."""

import pytest
from django.utils import timezone

from tests.helpers import page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def summary_first(html, field_id):
    """The summary comes before the first form field and links to the field."""
    top = html.index('id="not-saved"')
    assert f'href="#{field_id}"' in html[top:]
    assert top < html.index("<form", html.index("<main"))
    return html[top : html.index("</div>", top)]


def test_every_refused_form_is_summed_up_at_the_top(alice_client, alice, visitor):
    page = page_of(alice)
    link = page.links.create(title="Shop", url="https://shop.example")
    video = page.videos.create(external_id="7301", title="Sourdough", create_time=timezone.now())
    refused = {
        "/dashboard/links/add/": ({"kind": "link", "title": "X", "url": "javascript:1"}, "id_url"),
        f"/dashboard/links/{link.pk}/": ({"kind": "link", "title": "", "url": ""}, "id_title"),
        "/dashboard/socials/": ({"instagram": "not a name!"}, "id_instagram"),
        "/dashboard/videos/": ({"videos_shown": "-3"}, "id_videos_shown"),
        f"/dashboard/videos/{video.pk}/": (
            {f"v{video.pk}-link_url": "javascript:1"},
            f"id_v{video.pk}-link_url",
        ),
        "/dashboard/address/": ({"slug": "admin"}, "id_slug"),
    }
    for address, (data, field_id) in refused.items():
        response = alice_client.post(address, data)
        assert response.status_code == 400, address
        summary = summary_first(response.content.decode(), field_id)
        assert "Nothing was saved yet" in summary and "autofocus" in summary


def test_a_visitors_refused_report_is_summed_up_at_the_top(alice, visitor):
    response = visitor.post("/@alice/report", {"reason": "", "message": "x"})

    summary_first(response.content.decode(), "id_reason_0")
