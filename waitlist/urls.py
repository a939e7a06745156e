from core.routers import Router

from . import views

router = Router()
router.register("shows", views.ShowWaitingListViewSet, basename="show-waiting-list")
router.register("my-waiting-list", views.MyWaitingListViewSet, basename="my-waiting-list")

urlpatterns = router.urls
