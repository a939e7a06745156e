from .stripe import localstripe, stripe_on, webhooks

__all__ = ["localstripe", "stripe_on", "webhooks"]
