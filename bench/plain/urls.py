from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("shows", views.ShowViewSet)
urlpatterns = [path("healthz", views.healthz), path("me/", views.MeView.as_view()), *router.urls]
