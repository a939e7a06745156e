from datetime import datetime

from celery import shared_task

from . import services


# Acknowledged after it ran (and given back if the worker dies), so a worker
# killed mid-delivery loses nothing; the claim in message_deliver keeps a
# redelivery from sending twice.
@shared_task(  # type: ignore[untyped-decorator]  # Celery has no type hints
    name=services.DELIVER_TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def deliver(message_id: int, handed_until: str | None = None) -> None:
    # handed_until: the sweep's claim, as ISO 8601 (task arguments travel as JSON).
    claim = datetime.fromisoformat(handed_until) if handed_until else None
    delay = services.message_deliver(message_id=message_id, handed_until=claim)
    if delay is not None:
        deliver.apply_async((message_id,), countdown=delay, retry=False)


@shared_task(ignore_result=True)  # type: ignore[untyped-decorator]  # Celery has no type hints
def sweep() -> int:
    return services.messages_sweep()
