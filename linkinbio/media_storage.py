"""Where mirrored avatars and covers live: Django's default storage.

Local disk (MEDIA_ROOT) unless the environment names an S3-compatible bucket,
either as one URL

    MEDIA_STORAGE_URL=s3://KEY:SECRET@bucket/prefix?endpoint_url=http://127.0.0.1:9000&region_name=eu-west-1

or with django-storages' own variables (AWS_STORAGE_BUCKET_NAME,
AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_LOCATION, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY). Without keys in either, boto3 finds them as it always
does (instance role, ~/.aws).

The bucket stays private: every image is served by the site's own view
(editor.views.media_file), which refuses a suspended page's images, and a CDN
in front caches each one forever since names carry a content hash.

Read by settings.py, so this module imports nothing heavy; the storage class
is linkinbio/bucket.py.
"""

from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# Query parameters of MEDIA_STORAGE_URL passed on to the storage.
URL_OPTIONS = ("endpoint_url", "region_name", "addressing_style", "signature_version")
AWS_VARIABLES = {
    "AWS_S3_ENDPOINT_URL": "endpoint_url",
    "AWS_S3_REGION_NAME": "region_name",
    "AWS_LOCATION": "location",
    "AWS_S3_ADDRESSING_STYLE": "addressing_style",
}
IMMUTABLE = "public, max-age=31536000, immutable"


def storage_from_env(env):
    """The STORAGES["default"] entry the environment asks for."""
    url = env.str("MEDIA_STORAGE_URL", default="")
    if url:
        return storage_from_url(url)
    if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
        options = {"bucket_name": env.str("AWS_STORAGE_BUCKET_NAME")}
        for variable, option in AWS_VARIABLES.items():
            if env.str(variable, default=""):
                options[option] = env.str(variable)
    else:
        # Same content, same name: saving it again replaces it rather than
        # adding a random suffix, so a name is always the content's hash.
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"allow_overwrite": True},
        }
    return _bucket(options)


def storage_from_url(url):
    """The STORAGES entry of a MEDIA_STORAGE_URL."""
    return _bucket(_options_from_url(url))


def _bucket(options):
    return {
        "BACKEND": "linkinbio.bucket.BucketStorage",
        "OPTIONS": {
            **options,
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": False,
            "object_parameters": {"CacheControl": IMMUTABLE},
        },
    }


def _options_from_url(url):
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE_URL is not a bucket URL linkinbio understands. Use "
            "s3://KEY:SECRET@bucket/prefix?endpoint_url=https://s3.example.com&region_name=…"
        )
    query = dict(parse_qsl(parts.query))
    unknown = set(query) - set(URL_OPTIONS)
    if unknown:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL has unknown parameters ({', '.join(sorted(unknown))}); "
            f"it takes {', '.join(URL_OPTIONS)}."
        )
    # The bucket name keeps its case: hostname is lower-cased by urlsplit.
    bucket = parts.netloc.rsplit("@", 1)[-1]
    options = {"bucket_name": bucket, "location": parts.path.strip("/"), **query}
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return options
