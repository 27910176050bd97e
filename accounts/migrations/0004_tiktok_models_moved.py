"""TikTokConnection and ApiCall now belong to the tiktok app (accounts/tiktok/);
their tables stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_token_refresh_lease"),
        ("tiktok", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ApiCall"),
                migrations.DeleteModel(name="TikTokConnection"),
            ],
        ),
    ]
