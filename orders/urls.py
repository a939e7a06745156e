from django.urls import path

from core.routers import Router

from . import views

router = Router()
router.register("orders", views.OrderViewSet, basename="order")
router.register("my-orders", views.MyOrderViewSet, basename="my-order")

urlpatterns = [
    *router.urls,
    path("payments/stripe/webhook/", views.StripeWebhookView.as_view(), name="stripe-webhook"),
]
