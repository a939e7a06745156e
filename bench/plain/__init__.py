"""A plain implementation of the same booking, the yardstick of docs/performance.md.

What a competent first version with Django, DRF and simplejwt looks like, and
nothing more: Django's default middleware, simplejwt's own authentication, a
ModelSerializer, and a booking that locks the show (select_for_update), checks
the seat with exists() and inserts the row. No holds, no idempotency keys, no
seat labels or tier prices, no outbox, no webhooks, no tickets' e-mail, no
cache. It maps the project's own tables (unmanaged models), so `bench/run.py
--plain` serves it from a copy of the same data set, with the same tokens,
under the same gunicorn configuration, and measures it in the same run.
Never part of the app.
"""
