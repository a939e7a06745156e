from core.routers import Router

from . import views

router = Router()
router.register("genres", views.GenreViewSet, basename="genre")
router.register("movies", views.MovieViewSet, basename="movie")
router.register("screens", views.ScreenViewSet, basename="screen")
router.register("shows", views.ShowViewSet, basename="show")
router.register("ticket-types", views.TicketTypeViewSet, basename="ticket-type")

urlpatterns = router.urls
