"""The S3-compatible bucket of mirrored images (chosen in linkinbio/media_storage.py)."""

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class BucketStorage(S3Storage):
    """A private bucket whose files are addressed through the site (MEDIA_URL,
    served by pages.views.media_file), never by a presigned bucket URL."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + filepath_to_uri(name)

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
