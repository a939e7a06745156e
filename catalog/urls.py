from config.routers import Router

from . import views

router = Router()
router.register("movies", views.MovieViewSet, basename="movie")
router.register("shows", views.ShowViewSet, basename="show")

urlpatterns = router.urls
