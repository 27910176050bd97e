"""The scheduled jobs whose code moved keep their last start under the new
path, so none of them runs early after the upgrade."""

from django.db import migrations

MOVED = {
    "accounts.tiktok.jobs.refresh_expiring_tokens": "sources.tiktok.jobs.refresh_expiring_tokens",
    "accounts.tiktok.jobs.prune_request_history": "sources.tiktok.jobs.prune_request_history",
    "pages.syncing.enqueue_due_syncs": "pages.sync.schedule.enqueue_due_syncs",
    "pages.icon_queue.queue_missing_icons": "pages.media.icon_queue.queue_missing_icons",
    "pages.stats.purge_old_counts": "stats.counting.purge_old_counts",
}


def rename(apps, schema_editor, moves=MOVED):
    JobRun = apps.get_model("linkinbio", "JobRun")
    for old, new in moves.items():
        run = JobRun.objects.filter(job=old).first()
        if run is None:
            continue
        if not JobRun.objects.filter(job=new).exists():
            JobRun.objects.create(job=new, started_at=run.started_at)
        run.delete()


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [("linkinbio", "0001_job_runs_and_worker_beats")]

    operations = [migrations.RunPython(rename, rename_back)]
