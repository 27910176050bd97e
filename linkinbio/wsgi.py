import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkinbio.settings")

application = get_wsgi_application()

# The web process refuses to serve what `manage.py check` refuses: a public
# demo with the sandbox's unauthenticated controls on (linkinbio.E003).
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from linkinbio import checks  # noqa: E402

for error in checks.check_public_demo_controls(None):
    raise ImproperlyConfigured(f"{error.id}: {error.msg} {error.hint}")

# What a process would otherwise load on its first visitors' requests is
# loaded as it starts: the release (a digest of the code, without RELEASE),
# every view module (through the URL patterns) and the user-agent parser's
# rules (a quarter of a second, mostly under the GIL, in the counting thread).
from django.urls import get_resolver  # noqa: E402
from ua_parser import parser as user_agent_parser  # noqa: E402, F401

from pages import release  # noqa: E402

release.current()
get_resolver().url_patterns  # noqa: B018 (a cached property: reading it imports them)

# Then what is loaded (about 100,000 objects) is set aside for good: the
# collector never walks it again, where its collections in a fresh worker's
# first seconds took 12 to 400 ms each, a stall for whoever was being served.
# Under gunicorn's --preload this runs in the master before the fork, so the
# workers also share those memory pages; without it, in each worker.
gc.collect()
gc.freeze()
