from django.urls import path

from waishi.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_verify, name="otp"),
    path("otp/setup/", views.otp_setup, name="otp-setup"),
    path("reauth/", views.reauth, name="reauth"),
    path("password/", views.password_change, name="password-change"),
    path("language/", views.set_language, name="language"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:user_pk>/", views.user_edit, name="user-edit"),
    path("security/", views.security, name="security"),
    path("security/<int:user_pk>/", views.security_action, name="security-action"),
]
