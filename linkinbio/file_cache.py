"""Django's file cache, with the entries a cull must not take set apart.

Once it holds MAX_ENTRIES files, Django's file cache deletes a random third
of them. That is fine for what can be made again (rendered pages, page
states), not for the day's visitor salt (a process starting after it is
gone makes a new one, and every visitor of the day counts again) or the
report limits (they would start again from zero). Keys that start with one
of OPTIONS["KEPT_PREFIXES"] live in a folder of their own inside the
cache's, which no cull reaches; their expired files are deleted when read,
and at each cull of the others.
"""

import glob
import os

from django.core.cache.backends.filebased import FileBasedCache
from django.utils._os import safe_makedirs

KEPT_FOLDER = "kept"


class KeepingFileBasedCache(FileBasedCache):
    def __init__(self, dir, params):
        options = dict(params.get("OPTIONS", {}))
        self.kept_prefixes = tuple(options.pop("KEPT_PREFIXES", ()))
        self._kept_dir = os.path.join(os.path.abspath(dir), KEPT_FOLDER)
        super().__init__(dir, {**params, "OPTIONS": options})

    def _key_to_file(self, key, version=None):
        path = super()._key_to_file(key, version)
        if self.kept_prefixes and key.startswith(self.kept_prefixes):
            return os.path.join(self._kept_dir, os.path.basename(path))
        return path

    def _createdir(self):
        super()._createdir()
        safe_makedirs(self._kept_dir, mode=0o700, exist_ok=True)

    def _cull(self):
        if len(self._list_cache_files()) >= self._max_entries:
            for path in self._kept_files():
                try:
                    with open(path, "rb") as f:
                        self._is_expired(f)  # deletes the file if it is
                except FileNotFoundError:  # deleted meanwhile by another process
                    pass
            super()._cull()

    def clear(self):
        super().clear()
        for path in self._kept_files():
            self._delete(path)

    def _kept_files(self):
        return glob.glob(os.path.join(glob.escape(self._kept_dir), f"*{self.cache_suffix}"))
