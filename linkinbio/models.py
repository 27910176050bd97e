"""What the background processes leave in the database for each other and
for `/readyz`: when each scheduled job last started, and when each worker
last went round its loop."""

from django.db import models


class JobRun(models.Model):
    """A scheduled job's last start, claimed with a conditional UPDATE: a
    restarted scheduler (or a second one) runs a job only once it is due."""

    job = models.CharField(max_length=200, primary_key=True)
    started_at = models.DateTimeField()

    def __str__(self):
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class WorkerBeat(models.Model):
    """A background worker's latest turn of its loop (between tasks, or before one)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.worker_id} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
