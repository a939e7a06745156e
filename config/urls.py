from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from core import views

handler400 = "core.exceptions.bad_request"
handler403 = "core.exceptions.forbidden"
handler404 = "core.exceptions.not_found"
handler500 = "core.exceptions.server_error"

urlpatterns = [
    path("", RedirectView.as_view(url="/swagger/", permanent=False)),
    re_path(r"^healthz/?$", views.healthz, name="healthz"),
    re_path(r"^readyz/?$", views.readyz, name="readyz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/schema/", views.SchemaView.as_view(), name="schema"),
    path("swagger/", views.SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", views.RedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("accounts.urls")),
    path("", include("catalog.urls")),
    path("", include("bookings.urls")),
    path("", include("tickets.urls")),
    path("", include("pricing.urls")),
    path("", include("orders.urls")),
    path("", include("waitlist.urls")),
    path("", include("webhooks.urls")),
]
