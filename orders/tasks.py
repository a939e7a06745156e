from celery import shared_task

from . import services


# Run by Celery beat (CELERY_BEAT_SCHEDULE): settles the orders whose webhook was lost or is late.
@shared_task(ignore_result=True)
def reconcile() -> int:
    return services.orders_reconcile()
