"""/accounts/: the account page, passwords, invitation links and the staff pages. Sign-in and
sign-out are in obcms/urls.py (their names, login and logout, are Django's defaults)."""

from django.urls import path

from obcms.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    # The token leaves the URL at once (redirect to .../set-password/); obcms/logs.py keeps
    # it out of the access log.
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("welcome/set-password/", views.welcome_set_password, name="welcome_set_password"),
    path("welcome/<str:token>/", views.welcome, name="welcome"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
]
