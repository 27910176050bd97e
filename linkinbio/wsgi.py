import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkinbio.settings")

application = get_wsgi_application()

# Work out the release (a digest of the code, without RELEASE) as the process
# starts, not on its first visitor's page.
from pages import release  # noqa: E402

release.current()
