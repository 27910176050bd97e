from allauth.account.adapter import DefaultAccountAdapter

LOGGED_IN = "account/messages/logged_in.txt"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # No local sign-up form: creators arrive through TikTok only.
        return False

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        # A round trip that said its own outcome (a grant of a permission,
        # for a creator signed in all along) sets request.login_message_said.
        if message_template == LOGGED_IN and getattr(request, "login_message_said", False):
            return
        super().add_message(request, level, message_template, *args, **kwargs)
