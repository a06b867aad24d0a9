"""Background tasks (Django's task framework, stored by django-tasks-db in the app's database and
run by `manage.py db_worker`). Arguments are ids only, never a personal link or an address: the
work is looked up, and any email made, when the task runs."""

from __future__ import annotations

from django.tasks import task

from assessments import delivery, scheduled

# Opening and closing run before emails waiting in the queue: a closing due at midnight must not
# wait behind a big round's invitations.
STEP_PRIORITY = 10


@task
def send_emails(delivery_ids: list[int]) -> dict[str, int]:
    return delivery.send(delivery_ids)


@task(priority=STEP_PRIORITY)
def open_cycle_when_due(cycle_id: int) -> str:
    return scheduled.open_if_due(cycle_id)


@task(priority=STEP_PRIORITY)
def close_cycle_when_due(cycle_id: int) -> str:
    return scheduled.close_if_due(cycle_id)
