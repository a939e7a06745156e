"""accounts.auth.has_permission answers as Django's user.has_perm does."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.auth import has_permission

pytestmark = pytest.mark.django_db
PERMISSION = "tickets.check_in"


def permission(name: str = PERMISSION) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # no permission cache from an earlier has_perm


def test_a_permission_given_through_a_group(user):
    group = Group.objects.create(name="Doors")
    group.permissions.add(permission())
    user.groups.add(group)

    assert has_permission(fresh(user), PERMISSION) is True
    assert fresh(user).has_perm(PERMISSION) is True


def test_a_permission_given_to_the_user(user):
    user.user_permissions.add(permission())

    assert has_permission(fresh(user), PERMISSION) is True
    assert fresh(user).has_perm(PERMISSION) is True


def test_another_permission_or_none_is_not_this_one(user):
    group = Group.objects.create(name="Editors")
    group.permissions.add(permission("catalog.change_show"))
    user.groups.add(group)

    assert has_permission(fresh(user), PERMISSION) is False
    assert fresh(user).has_perm(PERMISSION) is False
    assert has_permission(fresh(user), "catalog.change_show") is True


def test_inactive_users_have_none_and_active_superusers_have_all(user):
    user.user_permissions.add(permission())
    user.is_active = False
    user.save()
    assert has_permission(fresh(user), PERMISSION) is False
    assert fresh(user).has_perm(PERMISSION) is False

    user.is_active, user.is_superuser = True, True
    user.save()
    user.user_permissions.clear()
    assert has_permission(fresh(user), PERMISSION) is True
    assert fresh(user).has_perm(PERMISSION) is True


def test_it_is_one_query(user):
    reloaded = fresh(user)
    with CaptureQueriesContext(connection) as ctx:
        has_permission(reloaded, PERMISSION)

    assert len(ctx.captured_queries) == 1
