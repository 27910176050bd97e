"""allauth's social account adapter for the TikTok sign-in: stores the
connection of a new or returning creator, and shows sign-in failures."""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.db import DatabaseError, transaction
from django.shortcuts import redirect

from sources.tiktok import client, scopes
from sources.tiktok.client import TikTokError
from sources.tiktok.connect import connect_creator, creator_name
from sources.tiktok.controls import GRANTING
from sources.tiktok.models import TikTokConnection
from sources.tiktok.signin import signin_failed

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
        if signin is None:
            return
        self._keep_the_same_account(request, signin)
        if sociallogin.is_existing:
            self._connect(request, sociallogin.user, signin)
            asked = ((sociallogin.state or {}).get("data") or {}).get(GRANTING)
            if asked is not None:
                self._say_what_was_granted(request, asked, signin.token_set.scopes)

    def _say_what_was_granted(self, request, asked, granted):
        """Back from "Grant the rest on TikTok": whether she granted it, not
        that she signed in (she was signed in all along)."""
        still = [scope for scope in asked if scope not in granted]
        if still:
            labels = ", ".join(info["label"].lower() for info in scopes.describe(still))
            messages.warning(
                request,
                f"Still missing: {labels}. It was left unticked on TikTok's screen; your page "
                "keeps showing what it can, and Grant the rest on TikTok asks again.",
            )
        else:
            messages.success(
                request,
                "TikTok granted linkinbio everything it asked for: your page shows all of it "
                "from its next update.",
            )
        request.login_message_said = True

    def _keep_the_same_account(self, request, signin):
        """A grant or reconnect started by a signed-in creator must come back
        with their own TikTok account. When TikTok's screen was answered for
        another one (the browser is signed in to it on TikTok), nothing
        changes for either account and the creator stays who they are."""
        mine = TikTokConnection.of(request.user) if request.user.is_authenticated else None
        came_back = signin.token_set.open_id
        if mine is None or mine.open_id == came_back:
            return
        active = TikTokConnection.objects.filter(
            open_id=came_back, status=TikTokConnection.Status.ACTIVE
        )
        if not active.exists():
            # A grant nobody here uses: give it back (TikTok would revoke every
            # token of that account for this app, so never for a connected creator).
            try:
                client.revoke(signin.token_set.access_token)
            except TikTokError as exc:
                logger.warning("Revoking an unwanted TikTok grant failed: %s", exc.code)
        other = signin.profile.get("username") or signin.profile.get("display_name") or "?"
        own = SocialAccount.objects.filter(user=request.user, provider="tiktok").first()
        handle = (own.extra_data.get("username") if own else None) or request.user.username
        logger.info("A TikTok round trip of user %s came back with another account", mine.user_id)
        messages.error(
            request,
            f"TikTok answered for another account (@{other}), not for yours (@{handle}). "
            f"Nothing changed: you are still signed in as {request.user.username}. On TikTok's "
            f"screen, choose @{handle} (switch accounts in TikTok if needed) and try again.",
        )
        raise ImmediateHttpResponse(redirect("dashboard"))

    def populate_user(self, request, sociallogin, data):
        """A new creator's user name: their TikTok username, else their
        display name made into a slug (the page's rule), never "user"."""
        user = super().populate_user(request, sociallogin, data)
        profile = sociallogin.account.extra_data or {}
        user.username = creator_name(profile.get("username"), profile.get("display_name"))
        return user

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
