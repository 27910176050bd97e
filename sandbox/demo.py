"""Demo creators for the sandbox, and their product pages made through the real sign-in path."""

import time

import requests
from django.conf import settings

from pages.models import Page
from sandbox import creators
from sandbox.models import Account, Client

COOKING = [
    "Five-minute garlic noodles",
    "Crispy chickpea salad",
    "The only pancake recipe you need",
    "One-pan lemon chicken",
    "Meal prep Sunday: 4 lunches, 1 hour",
    "Miso butter mushrooms",
    "Fridge clean-out fried rice",
    "Spicy peanut dumplings",
    "Tomato soup like my mum's",
    "No-knead focaccia",
    "Three sauces for the whole week",
    "Budget tacos for six",
]
PLANTS = [
    "Repotting a rescued monstera",
    "New arrivals: tiny succulents",
    "Why your pothos leaves go yellow",
    "Watering schedule for beginners",
    "Propagation station tour",
    "Shop tour before opening",
    "Pest check in 30 seconds",
    "Bright indirect light, explained",
    "Packing your orders",
]
SKETCHES = [
    "Morning coffee, ink only",
    "Rainy bus stop",
    "Cat on the windowsill",
    "Market stall study",
    "Hands are hard",
    "Ten-minute portrait",
    "Bridge at dusk, watercolour",
    "Sketchbook flip-through",
    "Copying an old master",
    "Street corner in one line",
    "Trying gouache for the first time",
    "People on the train",
    "Drawing my desk",
]
FITNESS = [
    "20-minute no-equipment workout",
    "Fix your squat form",
    "Stretch with me after work",
    "What I eat after training",
    "Beginner push-up progression",
    "Core in 8 minutes",
]

CREATORS = [
    {
        "username": "mayacooks",
        "display_name": "Maya Okafor",
        "bio_description": "15-minute dinners for busy weeknights 🍜 New recipe every Tue & Fri",
        "is_verified": True,
        "follower_count": 2_481_300,
        "following_count": 182,
        "topics": COOKING,
        "video_count": 36,
        "every_hours": (60, 110),
    },
    {
        "username": "fernandpetal",
        "display_name": "Fern & Petal Plant Shop",
        "bio_description": "A tiny plant shop in Leeds 🌿 Care tips and new arrivals",
        "follower_count": 842,
        "following_count": 301,
        "topics": PLANTS,
        "video_count": 9,
        "every_hours": (90, 240),
    },
    {
        "username": "dailysketch.jo",
        "display_name": "Jo Lindqvist",
        "bio_description": "One sketch a day ✏️ Prints and brushes in my links",
        "follower_count": 48_270,
        "following_count": 95,
        "topics": SKETCHES,
        "video_count": 64,
        "every_hours": (20, 30),
        "title_format": "Day {n}: {topic}",
    },
    {
        "username": "coach.dani",
        "display_name": "Dani Brooks",
        "bio_description": "Home workouts that fit in a lunch break 💪",
        "follower_count": 131_900,
        "following_count": 410,
        "topics": FITNESS,
        "video_count": 18,
        "every_hours": (40, 100),
    },
    {
        "username": "sam.reads",
        "display_name": "Sam Reyes",
        "bio_description": "Book notes, coming soon 📚",
        "follower_count": 57,
        "following_count": 120,
        "topics": [],
        "video_count": 0,
    },
]

# The creators who also get a page in the product itself.
PAGE_CREATORS = ["mayacooks", "dailysketch.jo"]

# The links a demo creator would have added on their dashboard.
DEMO_LINKS = {
    "mayacooks": [
        ("My cookbook: Weeknight Dinners", "https://example.com/maya/cookbook"),
        ("Free weekly meal plan", "https://example.com/maya/newsletter"),
        ("The pans and knives I use", "https://example.com/maya/kitchen"),
        ("Brand collaborations", "mailto:collabs@example.com"),
    ],
    "dailysketch.jo": [
        ("Prints and originals", "https://example.com/jo/shop"),
        ("Sketchbook class for beginners", "https://example.com/jo/class"),
        ("Commission a portrait", "mailto:jo@example.com"),
    ],
}


def add_demo_links(page, username):
    """Give a fresh demo page the links its creator would have added; keeps existing ones."""
    if page.links.exists():
        return
    for position, (title, url) in enumerate(DEMO_LINKS.get(username, []), start=1):
        page.links.create(title=title, url=url, position=position)
    page.bump_version()


def seed_creators(write=print):
    """Create the demo creators that do not exist yet; returns the usernames created."""
    Client.ensure_default()
    made = []
    for spec in CREATORS:
        username = spec["username"]
        if Account.objects.filter(username=username).exists():
            continue
        profile = {k: v for k, v in spec.items() if k in creators.PROFILE_FIELDS}
        videos = creators.generated_videos(
            spec["video_count"],
            seed=username,
            topics=spec["topics"] or ["Hello"],
            every_hours=spec.get("every_hours", (20, 80)),
            title_format=spec.get("title_format"),
        )
        for video in videos:
            tag = username.split(".")[0]
            video["video_description"] = f"{video['title']} ✨ #{tag} #fyp"
        creators.upsert({"username": username, **profile, "videos": videos})
        made.append(username)
        write(f"Sandbox creator @{username}: {spec['video_count']} videos")
    return made


def server_is_up(timeout=1.0):
    try:
        return requests.get(f"{settings.SITE_URL}/healthz", timeout=timeout).ok
    except requests.RequestException:
        return False


def wait_for_server(seconds):
    """Poll SITE_URL/healthz for up to `seconds`; True once it answers."""
    deadline = time.monotonic() + seconds
    while not server_is_up():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
    return True


def connect_demo_pages(usernames=None, write=print):
    """Give demo creators a product page through the real OAuth path (needs the running server).

    Calls accounts.demo.connect_demo_creator(username) for each; skips with a note
    when that function does not exist or no server answers at SITE_URL.
    """
    try:
        from accounts.demo import connect_demo_creator
    except ImportError:
        write("Demo pages skipped: accounts.demo.connect_demo_creator is not available.")
        return []
    if not server_is_up():
        write(
            f"Demo pages skipped: no server answers at {settings.SITE_URL}. "
            "Start it, then run `manage.py seed_demo --pages`."
        )
        return []
    users = []
    for username in usernames or PAGE_CREATORS:
        try:
            user = connect_demo_creator(username)
        except Exception as exc:  # a demo nicety must not stop the seed
            write(f"Demo page for @{username} failed: {exc.__class__.__name__}: {exc}")
        else:
            users.append(user)
            Page.objects.filter(user=user).update(is_showcased=True)
            add_demo_links(user.page, username)
            write(f"Demo page for @{username} connected through the sandbox.")
    return users
