from core.routers import Router

from . import views

router = Router()
router.register("promo-codes", views.PromoCodeViewSet, basename="promo-code")

urlpatterns = router.urls
