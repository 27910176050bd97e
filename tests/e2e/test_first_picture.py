"""On a phone, the picture Alice's page asks for first is the largest one it
paints: her first cover when its row shows without scrolling, her profile
picture when her links fill the screen (public/fold.py guesses which)."""

import pytest

from pages import publish
from pages.models import Link, Page
from tests.e2e.steps import SLUG

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LARGEST_PAINT = """() => new Promise(resolve => {
  let last = null;
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    last = entries[entries.length - 1];
  }).observe({type: "largest-contentful-paint", buffered: true});
  // The last candidate is reported a frame or two after its picture arrives.
  setTimeout(() => resolve(last && {tag: last.element ? last.element.tagName : null,
                                    url: last.url || null, size: last.size}), 1500);
})"""

# The area of a picture the screen shows, as the largest-paint entry measures it.
SHOWN_AREA = """img => {
  const box = img.getBoundingClientRect();
  const width = Math.min(box.right, innerWidth) - Math.max(box.left, 0);
  const height = Math.min(box.bottom, innerHeight) - Math.max(box.top, 0);
  return Math.max(width, 0) * Math.max(height, 0);
}"""


@pytest.mark.parametrize("links", [0, 3, 7, 10])
def test_the_largest_picture_a_phone_paints_is_the_one_fetched_first(
    synced_creator, browser, live_server, links
):
    page = Page.objects.get(user=synced_creator)
    for n in range(links):
        Link.objects.create(page=page, title=f"My shop no. {n + 1}", url=f"https://example.com/{n}")
    publish.page_changed(page)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=3, is_mobile=True
    )
    try:
        phone = context.new_page()
        phone.goto(f"{live_server.url}/@{SLUG}", wait_until="networkidle")
        first = phone.locator('img[fetchpriority="high"]')
        assert first.count() == 1
        largest = phone.evaluate(LARGEST_PAINT)
        assert largest is not None, "the phone reported no largest paint"
        if largest["tag"] == "IMG" and largest["url"] != first.evaluate("img => img.currentSrc"):
            # Covers of one row are the same size, and the browser keeps the
            # first of equal candidates to finish: whichever network order
            # won, the picture fetched first is as large as the one reported.
            assert first.evaluate(SHOWN_AREA) >= largest["size"] - 1
        covers_first = phone.locator('.pf-grid img[fetchpriority="high"]').count() == 1
        assert covers_first == (links <= 3)
    finally:
        context.close()
