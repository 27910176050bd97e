"""Where mirrored images go is chosen by the environment alone."""

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from linkinbio.media_storage import storage_from_env


def storage_with(monkeypatch, **variables):
    for name in ("MEDIA_STORAGE_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return storage_from_env(environ.Env())


def test_without_a_bucket_images_stay_on_local_disk(monkeypatch):
    entry = storage_with(monkeypatch)
    assert entry["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_bucket_url_names_bucket_prefix_endpoint_and_keys(monkeypatch):
    entry = storage_with(
        monkeypatch,
        MEDIA_STORAGE_URL="s3://AKID:se%2Fcret@My-Bucket/site/media?endpoint_url=http://127.0.0.1:9000&region_name=eu-west-3",
    )
    assert entry["BACKEND"] == "linkinbio.bucket.BucketStorage"
    options = entry["OPTIONS"]
    assert options["bucket_name"] == "My-Bucket"
    assert options["location"] == "site/media"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["region_name"] == "eu-west-3"
    assert (options["access_key"], options["secret_key"]) == ("AKID", "se/cret")
    assert options["querystring_auth"] is False and options["default_acl"] is None


def test_django_storages_variables_work_too(monkeypatch):
    entry = storage_with(
        monkeypatch, AWS_STORAGE_BUCKET_NAME="media", AWS_S3_ENDPOINT_URL="https://s3.example.com"
    )
    assert entry["OPTIONS"]["bucket_name"] == "media"
    assert entry["OPTIONS"]["endpoint_url"] == "https://s3.example.com"
    assert "access_key" not in entry["OPTIONS"]  # boto3 finds them itself


@pytest.mark.parametrize(
    "url", ["https://bucket.example.com/", "s3:///nobucket", "s3://bucket?endpoint=http://x"]
)
def test_a_wrong_bucket_url_stops_the_site_with_a_clear_message(monkeypatch, url):
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE_URL"):
        storage_with(monkeypatch, MEDIA_STORAGE_URL=url)
