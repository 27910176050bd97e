from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in: a creator (through TikTok) or a staff member.

    Creators have no usable password and need no e-mail address; TikTok is
    their only way in.
    """

    class Meta:
        db_table = "accounts_user"

    def export(self):
        return {
            "username": self.username,
            "date_joined": self.date_joined.isoformat(),
            "last_login": self.last_login.isoformat() if self.last_login else None,
        }
