"""CDN purge backends, chosen by CDN_PURGE_BACKEND (pages/cdn.py says when
they are called). Each gets a page's keys and addresses; a failure raises
PurgeFailed, which the task logs.

    CDN_PURGE_BACKEND   ""  (none), http, fastly, cloudflare, or a dotted class path
    CDN_PURGE_URL       where purges go (http: the cache; fastly/cloudflare: their API)
    CDN_PURGE_TOKEN     the API token (fastly, cloudflare); never logged
    CDN_PURGE_ZONE      the Fastly service id or Cloudflare zone id
"""

import logging
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.tasks import task
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)
_session = requests.Session()


class PurgeFailed(Exception):
    pass


class Purge:
    """The interface: `purge(keys, urls)`. Settings come in as attributes."""

    default_url = ""

    def __init__(self):
        self.url = (settings.CDN_PURGE_URL or self.default_url).rstrip("/")
        self.token = settings.CDN_PURGE_TOKEN
        self.zone = settings.CDN_PURGE_ZONE
        self.key_header = settings.CDN_KEY_HEADER or "Surrogate-Key"

    def purge(self, keys, urls):
        raise NotImplementedError

    def send(self, method, url, **kwargs):
        try:
            response = _session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise PurgeFailed(f"{method} {urlsplit(url).path}: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise PurgeFailed(f"{method} {urlsplit(url).path}: HTTP {response.status_code}")


class HttpPurge(Purge):
    """A cache you run (Varnish, nginx, Squid) at CDN_PURGE_URL: one PURGE
    carrying the keys in a header (Varnish's xkey), then one PURGE per
    address, sent to the cache with the site's Host."""

    def purge(self, keys, urls):
        self.send("PURGE", self.url + "/", headers={self.key_header: " ".join(keys)})
        for url in urls:
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            self.send("PURGE", self.url + path, headers={"Host": parts.netloc})


class FastlyPurge(Purge):
    """Fastly: purge by surrogate key, the keys in one call."""

    default_url = "https://api.fastly.com"

    def purge(self, keys, urls):
        headers = {"Fastly-Key": self.token, "Surrogate-Key": " ".join(keys)}
        self.send("POST", f"{self.url}/service/{self.zone}/purge", headers=headers)


class CloudflarePurge(Purge):
    """Cloudflare: purge by address (every plan has it), the addresses in one call."""

    default_url = "https://api.cloudflare.com/client/v4"

    def purge(self, keys, urls):
        headers = {"Authorization": f"Bearer {self.token}"}
        # At most 30 addresses a call on most plans.
        for start in range(0, len(urls), 30):
            batch = {"files": urls[start : start + 30]}
            self.send(
                "POST", f"{self.url}/zones/{self.zone}/purge_cache", json=batch, headers=headers
            )


BACKENDS = {"http": HttpPurge, "fastly": FastlyPurge, "cloudflare": CloudflarePurge}


def backend():
    """The configured backend, or None."""
    name = settings.CDN_PURGE_BACKEND
    if not name:
        return None
    return (BACKENDS.get(name) or import_string(name))()


def run(page_id, keys, urls):
    """Purge; a failure is logged, never raised. Returns "purged", "failed" or "off"."""
    chosen = backend()
    if chosen is None:
        return "off"
    try:
        chosen.purge(keys, urls)
    except Exception as exc:
        logger.warning("CDN purge of page %s failed: %s", page_id, exc)
        return "failed"
    logger.info("CDN purged page %s (%d addresses)", page_id, len(urls))
    return "purged"


@task()
def purge_cdn(page_id, keys, urls):
    """Tell the CDN a page changed (pages/cdn.py); never fails."""
    return run(page_id, keys, urls)
