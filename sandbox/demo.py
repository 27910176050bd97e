"""Demo creators for the sandbox: realistic TikTok accounts with generated videos."""

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
