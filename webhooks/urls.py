from core.routers import Router

from . import views

router = Router()
router.register("webhooks", views.EndpointViewSet, basename="webhook")

urlpatterns = router.urls
