"""The sources of creators' profiles and videos, by key.

`settings.SOURCES` maps each source's key (the one a page stores) to the
dotted path of its `Source` class; the first is where new creators come from
unless a sign-in says otherwise. Nothing else in the product names a source's
package: the pages, public, editor and stats apps ask this module.
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from sources.base import Source


def source_keys() -> list[str]:
    """The keys of the sources this site serves, the default first."""
    return list(settings.SOURCES)


def default_key() -> str:
    return source_keys()[0]


def get(key: str | None = None) -> Source:
    """The source of that key (the default one without a key); KeyError for
    a key the settings do not list."""
    return _load(settings.SOURCES[key or default_key()])


def all_sources() -> list[Source]:
    return [get(key) for key in source_keys()]


@cache
def _load(path: str) -> Source:
    return import_string(path)()
