"""Where the pages' profiles and videos come from: the seam's vocabulary
(sources/base.py) and the source, found in the registry by its key
(sources/registry.py, settings.SOURCES); this app names no source.
"""

from sources import registry
from sources.base import (  # noqa: F401  (the seam's vocabulary, for this app)
    Connection,
    NeedsConsent,
    NeedsReconnect,
    Profile,
    SourceError,
    TryLater,
    Unusable,
    VideoItem,
    VideoList,
    creator_connected,
    source_account_closed,
    sync_allowed_changed,
)

source = registry.get()
