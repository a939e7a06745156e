from django.urls import re_path

from core.routers import Router

from . import views

router = Router()
# Extra routes under other apps' prefixes: /bookings/{id}/ticket/ and
# /shows/{id}/check-in-list/ and /shows/{id}/check-ins/summary/.
router.register("bookings", views.BookingTicketViewSet, basename="booking-ticket")
router.register("shows", views.ShowCheckInViewSet, basename="show-check-in")
router.register("purchases", views.PurchaseViewSet, basename="purchase")
router.register("check-ins", views.CheckInViewSet, basename="check-in")

urlpatterns = [re_path(r"^tickets/keys/?$", views.TicketKeysView.as_view(), name="ticket-keys"), *router.urls]
