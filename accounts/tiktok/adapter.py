"""allauth's social account adapter for the TikTok sign-in: stores the
connection of a new or returning creator, and shows sign-in failures."""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.db import DatabaseError, transaction

from accounts.tiktok.connect import connect_creator
from accounts.tiktok.signin import signin_failed

logger = logging.getLogger(__name__)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return True

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        raise ImmediateHttpResponse(
            signin_failed(request, error=error, exception=exception, context=extra_context)
        )

    def pre_social_login(self, request, sociallogin):
        """A returning creator: store the fresh tokens and granted scopes."""
        signin = getattr(sociallogin, "tiktok", None)
        if sociallogin.is_existing and signin is not None:
            self._connect(request, sociallogin.user, signin)

    def save_user(self, request, sociallogin, form=None):
        """A new creator: user, TikTok account, connection and page, all or nothing."""
        signin = getattr(sociallogin, "tiktok", None)
        try:
            with transaction.atomic():
                user = super().save_user(request, sociallogin, form)
                if signin is not None:
                    connect_creator(user, signin.token_set, signin.profile)
        except DatabaseError as exc:
            logger.exception("Could not create the creator for a TikTok sign-in")
            raise ImmediateHttpResponse(signin_failed(request, exception=exc)) from exc
        return user

    def _connect(self, request, user, signin):
        try:
            connect_creator(user, signin.token_set, signin.profile)
        except DatabaseError as exc:
            logger.exception("Could not store the TikTok connection of user %s", user.pk)
            raise ImmediateHttpResponse(signin_failed(request, exception=exc)) from exc
