from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from assessments import email_views, summary_views
from assessments.respond import views as respond_views
from places import views as place_views
from places.auth_forms import ThrottledAdminAuthenticationForm, ThrottledAuthenticationForm

# The throttle itself is the authentication backend; this form shows its lock-out message.
admin.site.login_form = ThrottledAdminAuthenticationForm
# The admin is part of the product, named as it is, not "Django administration".
admin.site.site_header = "Collaboration health check: administration"
admin.site.site_title = "Collaboration health check admin"
admin.site.index_title = "Question banks, places and people"

auth_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        place_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", place_views.home, name="home"),
    path("r/<str:token>/", include("assessments.respond.urls")),
    # Anything else under /r/ is a personal link copied wrong: the app's own page, not Django's.
    re_path(r"^r/", respond_views.respond_not_found, name="respond_not_found"),
    path("accounts/", include(auth_patterns)),
    path("emails/stop/<str:token>/", email_views.emails_stop, name="emails_stop"),
    path("summary/<str:token>/", summary_views.public_summary, name="public_summary"),
    path("places/<slug:slug>/", place_views.place_detail, name="place_detail"),
    path("places/<slug:slug>/", include("assessments.cycle_urls")),
    path("places/<slug:slug>/", include("places.urls")),
    path("places/<slug:slug>/", include("actions.urls")),
    path("", include("assessments.results_urls")),
    path("", include("workshops.urls")),
    path("admin/", admin.site.urls),
]
