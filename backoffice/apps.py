from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class BackofficeConfig(AppConfig):
    """The box office's own admin pages (templates, the programme board, the door)."""

    name = "backoffice"


class CinemaAdminConfig(AdminConfig):
    """django.contrib.admin with the cinema's admin site (backoffice/site.py) as the default site."""

    default_site = "backoffice.site.CinemaAdminSite"
