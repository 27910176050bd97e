"""The S3-compatible bucket of mirrored images (chosen in linkinbio/media_storage.py)."""

from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Every bucket call is bounded: a bucket that stops answering (not refusing,
# just silent) would otherwise hold a web worker for ever. A client_config in
# the storage's OPTIONS overrides these, field by field.
BOUNDS = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 2},  # one retry
)


class BucketStorage(S3Storage):
    """A private bucket whose files are addressed through the site (MEDIA_URL,
    served by editor.views.media_file), never by a presigned bucket URL."""

    def __init__(self, **settings):
        super().__init__(**settings)
        self.client_config = BOUNDS.merge(self.client_config)

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + filepath_to_uri(name)

    def read_object(self, name):
        """The bytes of a file in one GET (opening it asks for its size first);
        FileNotFoundError when the bucket has no such file. S3 answers 403,
        not 404, for a missing file to credentials that may not list the
        bucket: a refusal is the bucket answering, not the bucket failing."""
        key = self._normalize_name(clean_name(name))
        client = self.connection.meta.client
        try:
            answer = client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("NoSuchKey", "404", "AccessDenied") or status in (403, 404):
                raise FileNotFoundError(name) from None
            raise
        with answer["Body"] as body:
            return body.read()

    def ensure_bucket(self):
        """Create the bucket when it does not exist (a fresh S3 server); True if created."""
        client = self.connection.meta.client
        try:
            client.head_bucket(Bucket=self.bucket_name)
            return False
        except ClientError as exc:
            if exc.response["ResponseMetadata"]["HTTPStatusCode"] != 404:
                raise
        options = {}
        if self.region_name and self.region_name != "us-east-1":
            options["CreateBucketConfiguration"] = {"LocationConstraint": self.region_name}
        client.create_bucket(Bucket=self.bucket_name, **options)
        return True
