from celery import shared_task

from . import services


# Run by Celery beat (CELERY_BEAT_SCHEDULE): offers the seats that came back.
# A worker that dies mid-run rolls its transaction back; the next run redoes it.
@shared_task(ignore_result=True)
def offer() -> int:
    return services.offers_make()
