import pytest

from core.checks import rate_limits_are_shared

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DATABASE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "core_cache"}}


def test_the_deploy_check_warns_when_rate_limits_would_be_counted_per_process(settings):
    settings.THROTTLING, settings.CACHES = True, LOCAL

    assert [warning.id for warning in rate_limits_are_shared(None)] == ["core.W001"]


@pytest.mark.parametrize(("throttling", "caches"), [(True, DATABASE), (False, LOCAL)])
def test_a_shared_cache_or_throttling_off_passes_the_deploy_check(settings, throttling, caches):
    settings.THROTTLING, settings.CACHES = throttling, caches

    assert rate_limits_are_shared(None) == []


def test_production_settings_without_redis_share_the_database_cache():
    from config.tests.test_settings import TICKET_KEY, load_settings

    result = load_settings(
        "import config.settings as s; print(s.CACHES['default']['BACKEND'], s.HTTP_CACHE_SECONDS)",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k" * 50,
        TICKET_SIGNING_KEY=TICKET_KEY,
        DJANGO_ALLOWED_HOSTS="tickets.example.com",
    )

    assert result.stdout.strip() == "django.core.cache.backends.db.DatabaseCache 300"
