from django.urls import re_path

from . import views

# Every path works with and without the trailing slash.
urlpatterns = [
    re_path(r"^signup/?$", views.SignupView.as_view(), name="signup"),
    re_path(r"^login/?$", views.LoginView.as_view(), name="login"),
    re_path(r"^token/refresh/?$", views.RefreshView.as_view(), name="token-refresh"),
    re_path(r"^logout/?$", views.LogoutView.as_view(), name="logout"),
    re_path(r"^me/?$", views.MeView.as_view(), name="me"),
    re_path(r"^me/password/?$", views.PasswordChangeView.as_view(), name="password-change"),
    re_path(r"^password-reset/?$", views.PasswordResetView.as_view(), name="password-reset"),
    re_path(r"^password-reset/confirm/?$", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
]
