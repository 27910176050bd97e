"""The request history is kept as long as the privacy page promises, no longer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sources.tiktok.jobs import prune_request_history
from sources.tiktok.models import ApiCall

pytestmark = pytest.mark.django_db


def test_request_history_older_than_the_retention_is_deleted(alice, settings):
    settings.API_CALL_RETENTION_DAYS = 90
    now = timezone.now()
    old = ApiCall.objects.create(endpoint="user.info", user=alice, created=now - timedelta(days=91))
    recent = ApiCall.objects.create(
        endpoint="video.list", user=alice, created=now - timedelta(days=89)
    )

    assert prune_request_history() == 1

    assert not ApiCall.objects.filter(pk=old.pk).exists()
    assert ApiCall.objects.filter(pk=recent.pk).exists()


def test_the_privacy_page_states_the_same_retention(client, settings):
    response = client.get("/privacy/")
    assert f"The request history: {settings.API_CALL_RETENTION_DAYS} days" in response.text
