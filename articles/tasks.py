from django.tasks import task

from .publishing import publish_due


@task
def publish_due_task() -> int:
    """The `publish_due` sweep as a Django task, for deployments with a task backend and a scheduler."""
    return len(publish_due())
