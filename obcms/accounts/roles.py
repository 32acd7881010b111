"""The three roles, as Django groups: administrator, encoder (edits) and viewer (reads).

Administrators alone validate and return assessments, validate, prioritise, defer and reject
needs, endorse, approve, decline, cancel and reopen PPAs, decide on policy recommendations,
remove others' attachments, archive and restore records (the archive_<model> permissions) and
delete for good in the admin.

Kept in step with the code after every migrate (post_migrate), so a new model's permissions
reach the roles on the deploy that adds it. Administrators also need "staff status" to open
the admin; ``seed_demo`` and the README say so.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save

from obcms.db.shared_cache import forget, remembered
from obcms.security.signin import ThrottledModelBackend

APPS = (
    "communities",
    "assessments",
    "coordination",
    "ppas",
    "policies",
    "records",
    "meetings",
    "reports",
    "geography",
    "ops",
    "accounts",
    "api",
)
ADMINISTRATOR = "administrator"  # the role that manages staff (accounts.manage_staff)

VIEW = {
    f"{app}.view_{model}"
    for app, model in (
        ("communities", "community"),
        ("communities", "contact"),
        ("communities", "ethnolinguisticgroup"),
        ("communities", "livelihood"),
        ("communities", "language"),
        ("assessments", "assessment"),
        ("assessments", "need"),
        ("coordination", "partner"),
        ("coordination", "engagement"),
        ("ppas", "ppa"),
        ("ppas", "progressupdate"),
        ("policies", "policy"),
        ("policies", "statuschange"),
        ("policies", "milestone"),
        ("records", "attachment"),
        ("meetings", "meeting"),
        ("meetings", "actionitem"),
        ("geography", "region"),
        ("geography", "province"),
        ("geography", "municipality"),
        ("geography", "barangay"),
        ("reports", "export"),
        ("reports", "statisticssnapshot"),
        ("reports", "report"),
    )
} | {"reports.add_export", "reports.add_report"}  # an export or a PDF report only reads

EDIT = (
    VIEW
    | {
        f"{app}.{action}_{model}"
        for app, model in (
            ("communities", "community"),
            ("communities", "contact"),
            ("assessments", "assessment"),
            ("assessments", "need"),
            ("coordination", "partner"),
            ("coordination", "engagement"),
            ("ppas", "ppa"),
            ("ppas", "progressupdate"),
            ("policies", "policy"),
            ("policies", "milestone"),
            ("meetings", "meeting"),
            ("meetings", "actionitem"),
        )
        for action in ("add", "change")
    }
    | {"records.add_attachment"}  # removing one is for its uploader or an administrator
    | {"reports.add_import", "reports.view_import"}
    | {"communities.delete_contact"}  # removing a contact is an edit of the profile
    | {"meetings.delete_actionitem"}  # removing an action item is an edit of its meeting
)

ROLES: dict[str, set[str] | None] = {
    "viewer": VIEW,
    "encoder": EDIT,
    "administrator": None,  # every permission of obcms's own apps
}


def sync_roles(**kwargs: object) -> None:
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label__in=APPS)
        if codenames is not None:
            wanted = {tuple(code.split(".")) for code in codenames}
            permissions = [
                p
                for p in permissions.select_related("content_type")
                if (p.content_type.app_label, p.codename) in wanted
            ]
        group.permissions.set(permissions)


def role_of(user) -> str:
    """The user's role; a superuser outside every role group counts as an administrator."""
    names = {group.name for group in user.groups.all() if group.name in ROLES}
    for name in (ADMINISTRATOR, *ROLES):
        if name in names:
            return name
    return ADMINISTRATOR if user.is_superuser else ""


# PERMISSIONS, REMEMBERED
# Every page asks for a permission, which cost two queries a request (the user's own and its
# groups'). The set is kept in the shared cache (obcms/db/shared_cache.py) and forgotten when a
# role changes: a user's groups or permissions, a group's permissions, or the user itself
# (superuser, active). With the local-memory cache it is read from the database as before.
PERMISSIONS = "permissions"


class RoleBackend(ThrottledModelBackend):
    """The sign-in backend, with each user's permission set remembered between requests."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = remembered(
                PERMISSIONS, permissions_key(user_obj), lambda: self._all(user_obj)
            )
        return user_obj._perm_cache

    def _all(self, user_obj) -> set[str]:
        return set(ModelBackend.get_all_permissions(self, user_obj))


def permissions_key(user: object) -> str:
    """The user's id and when it joined: an id used again (a database restored or recreated,
    as the tests do) never finds an earlier user's permissions."""
    return f"{user.pk}:{user.date_joined.timestamp()}"


def forget_permissions(sender: object, instance: object = None, **kwargs: object) -> None:
    """A role changed: every user's permissions are read afresh (roles change seldom)."""
    if kwargs.get("action", "post_").startswith("post_"):
        forget(PERMISSIONS)


def forget_user_permissions(sender: object, instance: object, **kwargs: object) -> None:
    """A user saved (superuser or active may have changed): that user's set is read afresh."""
    forget(PERMISSIONS, permissions_key(instance))
    forget(PERMISSIONS, ROLE + permissions_key(instance))


ROLE = "role:"


def remembered_role(user: object) -> str:
    """``role_of(user)``, remembered with the permissions and forgotten with them (the user's
    groups, a group, the user itself): the start page asks it on every view."""
    return remembered(PERMISSIONS, ROLE + permissions_key(user), lambda: role_of(user))


def connect_permission_signals() -> None:
    user = get_user_model()
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(forget_permissions, sender=through, dispatch_uid=f"perms-{through}")
    for model in (Group, Permission):
        post_delete.connect(forget_permissions, sender=model, dispatch_uid=f"perms-{model}")
    # A group renamed is a role gained or lost (roles are groups by name).
    post_save.connect(forget_permissions, sender=Group, dispatch_uid="perms-group-saved")
    post_save.connect(forget_user_permissions, sender=user, dispatch_uid="perms-user")
    post_delete.connect(forget_user_permissions, sender=user, dispatch_uid="perms-user-gone")
