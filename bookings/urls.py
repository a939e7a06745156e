from config.routers import Router

from . import views

router = Router()
# Registered after catalog's "shows": adds /shows/{id}/seats/ and /shows/{id}/book/.
router.register("shows", views.ShowSeatsViewSet, basename="show-seats")
router.register("my-bookings", views.MyBookingViewSet, basename="my-booking")
router.register("bookings", views.BookingViewSet, basename="booking")

urlpatterns = router.urls
