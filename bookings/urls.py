from core.routers import Router

from . import views

router = Router()
# Registered after catalog's "shows": adds /shows/{id}/seats/ and /shows/{id}/book/.
router.register("shows", views.ShowSeatsViewSet, basename="show-seats")
router.register("my-bookings", views.MyBookingViewSet, basename="my-booking")
router.register("bookings", views.BookingViewSet, basename="booking")
router.register("holds", views.HoldViewSet, basename="hold")
router.register("reports/shows", views.ShowReportViewSet, basename="report-show")
router.register("reports/movies", views.MovieReportViewSet, basename="report-movie")
router.register("reports/ticket-types", views.TicketTypeReportViewSet, basename="report-ticket-type")

urlpatterns = router.urls
