"""What Alice does on linkinbio and on TikTok's screens, in a real browser."""

from django.core.management import call_command

CREATOR = "alice.dances"  # her TikTok username
SLUG = "alicedances"  # her page: /@alicedances


def run_tasks():
    """The background worker handles everything queued (page syncs)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def sign_in_with_tiktok(page, live_server, *, video_access=True):
    """Alice goes from the home page through TikTok's consent screen to her dashboard."""
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in with TikTok").click()
    page.get_by_role("button", name="Continue with TikTok").click()
    allow_on_tiktok(page, video_access=video_access)


def allow_on_tiktok(page, *, video_access=True):
    """On TikTok's consent screen: video access on or off, then Authorize."""
    page.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")
    page.get_by_role("radio", name="Alice Dances").check()
    page.locator("input[name=scope][value='video.list']").set_checked(video_access)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/dashboard/")


def add_link(page, title, address):
    """On her dashboard, Alice adds a link (the form folds away once she has some)."""
    form = page.locator("details.add-link")
    if form.get_attribute("open") is None:
        page.get_by_text("Add a link or a section header").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Address").fill(address)
    page.get_by_role("button", name="Add link").click()


def link_menu(page, title):
    """Opens the ⋯ menu of one of Alice's links; returns the link's row."""
    page.get_by_label(f"Actions for “{title}”").click()
    return page.locator("ol.dash-links > li", has_text=title)
