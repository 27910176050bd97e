"""Blocked domains in the form links are compared in (pages/safety/hosts.py)."""

from django.db import migrations


def normalise(apps, schema_editor):
    from pages.safety import hosts

    BlockedDomain = apps.get_model("pages", "BlockedDomain")
    seen = set()
    for row in BlockedDomain.objects.order_by("pk"):
        try:
            domain = hosts.normalize(row.domain)
        except hosts.BadHost:
            continue
        if domain in seen:
            row.delete()
        elif domain != row.domain:
            if BlockedDomain.objects.filter(domain=domain).exists():
                row.delete()
            else:
                row.domain = domain
                row.save(update_fields=["domain"])
        seen.add(domain)


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_sync_vocabulary")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
