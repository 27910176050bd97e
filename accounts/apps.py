from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Creators"

    def ready(self):
        from accounts import personal_data

        personal_data.register("accounts", export=lambda user: {"account": user.export()})
