"""Every app's share of a creator's data: what "Your data" shows, what the
export holds and what deleting the account erases.

Each app that stores something about a creator registers it from its
AppConfig.ready(), so this app needs to know none of them:

    personal_data.register(
        "pages",
        export=...,    # user -> dict of top-level keys of the JSON export
        erase=...,     # user -> None, or a note for the creator on what it could not confirm
        overview=...,  # request -> dict added to the "Your data" and delete pages
    )

Erasers run in registration order (the order of INSTALLED_APPS), before the
user's own row goes and outside any transaction: one that waits on another
service (revoking at TikTok) must not hold the database meanwhile.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Share:
    app: str
    export: object = None
    erase: object = None
    overview: object = None


_shares = {}


def register(app, *, export=None, erase=None, overview=None):
    """Register (or replace) one app's share of a creator's data."""
    _shares[app] = Share(app, export, erase, overview)


def shares():
    return list(_shares.values())


def export(user):
    """Every app's export of the user, merged into one JSON-ready dict."""
    data = {"exported_at": timezone.now().isoformat(), "site": settings.SITE_URL}
    for share in shares():
        if share.export:
            data.update(share.export(user))
    return data


def erase(user):
    """Run every app's eraser for the user; returns the notes of those that
    could not confirm their part (the data is deleted anyway)."""
    notes = []
    for share in shares():
        note = share.erase(user) if share.erase else None
        if note:
            notes.append(note)
    return notes


def overview(request):
    """What each app contributes to the signed-in creator's "Your data" page."""
    context = {}
    for share in shares():
        if share.overview:
            context.update(share.overview(request))
    return context


def iso(value):
    """A date or time for the export (None stays None)."""
    return value.isoformat() if value else None
