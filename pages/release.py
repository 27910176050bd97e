"""Which release of the code renders the public pages.

A rendered page is cached under a key holding this identifier, so a deploy
that changes a template, the code or a stylesheet shows its own HTML at
once: the pages the previous release cached stay with the previous release
(they point at the stylesheets it serves) and expire with the cache.

`settings.RELEASE` (the environment's `RELEASE`, set by the deploy) names it;
without it, it is a digest of what makes a page's HTML, worked out once per
process (a web process does it as it starts, linkinbio/wsgi.py): every
template the engines can load, the project's own Python modules, and the
static files' manifest (their hashed names), or the project's static files
themselves where there is no manifest.
"""

import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import engines


@functools.cache
def current():
    """The release's identifier: short, and safe in a cache key."""
    if settings.RELEASE:
        return "".join(ch for ch in settings.RELEASE if ch.isalnum() or ch in "._-")[:40]
    digest = hashlib.blake2b(digest_size=8)
    for folder in _template_dirs():
        _add_files(digest, folder, "*")
    for folder in _project_code():
        _add_files(digest, folder, "*.py")
    manifest = _manifest()
    if manifest is not None:
        digest.update(manifest.encode())
    else:
        for folder in settings.STATICFILES_DIRS:
            _add_files(digest, Path(folder[1] if isinstance(folder, tuple) else folder), "*")
    return digest.hexdigest()


def _template_dirs():
    for engine in engines.all():
        yield from (Path(folder) for folder in getattr(engine, "template_dirs", ()))


def _project_code():
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            yield path


def _add_files(digest, folder, pattern):
    """Each file's path (relative, so every machine agrees) and content."""
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes())


def _manifest():
    read = getattr(staticfiles_storage, "read_manifest", None)
    return read() if read is not None else None


@receiver(setting_changed)
def _forget(setting, **kwargs):
    # Tests play several releases in one process.
    if setting in ("RELEASE", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS", "TEMPLATES"):
        current.cache_clear()
