"""accounts' written-out SQL (core/tests/test_structure.py keeps it here)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from core.db import scalar, table

from .models import User


def is_granted(*, user_id: int, app_label: str, codename: str) -> bool:
    """Whether the user was given the permission, directly or through one of
    their groups: what Django's ModelBackend reads in two queries, in one."""
    permissions, content_types = table(Permission), table(ContentType)
    user_permissions = table(User.user_permissions.through)
    user_groups = table(User.groups.through)
    group_permissions = table(Group.permissions.through)
    sql = (
        f"SELECT 1 FROM {permissions} p JOIN {content_types} ct ON ct.id = p.content_type_id"
        f" WHERE ct.app_label = %s AND p.codename = %s AND ("
        f"p.id IN (SELECT permission_id FROM {user_permissions} WHERE user_id = %s) OR"
        f" p.id IN (SELECT gp.permission_id FROM {group_permissions} gp"
        f" JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s))"
    )
    return scalar(sql, [app_label, codename, user_id, user_id]) is not None
