"""Code that moved beside what it does keeps running: rows of the database
queue under an old task path get the new one (a worker started after the
upgrade finds only the new paths), and a scheduled job keeps its last start
under its new path, so it does not run early after the upgrade."""

from django.db import migrations

MOVED_TASKS = {
    "pages.tasks.sync_page": "pages.sync.tasks.sync_page",
    "pages.tasks.purge_cdn": "pages.purges.purge_cdn",
    "pages.tasks.mirror_link_icon": "pages.icons.favicons.mirror_link_icon",
    "pages.tasks.render_share_image": "pages.media.share_image.render_share_image",
}
MOVED_JOBS = {
    "pages.media.icon_queue.queue_missing_icons": "pages.icons.icon_queue.queue_missing_icons",
}


def rename(apps, schema_editor, tasks=MOVED_TASKS, jobs=MOVED_JOBS):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in tasks.items():
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)
    JobRun = apps.get_model("linkinbio", "JobRun")
    for old, new in jobs.items():
        run = JobRun.objects.filter(job=old).first()
        if run is None:
            continue
        if not JobRun.objects.filter(job=new).exists():
            JobRun.objects.create(job=new, started_at=run.started_at)
        run.delete()


def rename_back(apps, schema_editor):
    back = {new: old for old, new in MOVED_TASKS.items()}
    rename(apps, schema_editor, back, {new: old for old, new in MOVED_JOBS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("linkinbio", "0002_moved_job_paths"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
