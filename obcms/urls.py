"""URL map. The probes come first; the admin lives at ADMIN_URL; everything else needs
sign-in."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from obcms.accounts.no_role import needs_a_role
from obcms.reports import needs_export
from obcms.reports.views import dashboard
from obcms.security.signin import SignInForm

urlpatterns = [
    path("", include("obcms.health.urls")),
    path("", needs_a_role(dashboard), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", include("obcms.api.token_pages")),
    path("accounts/", include("obcms.accounts.urls")),
    path("api/", include("obcms.api.urls")),
    path("communities/", include("obcms.communities.urls")),
    path("assessments/", include("obcms.assessments.urls")),
    path("needs/export/", needs_export.create, name="needs_export"),
    path("needs/", include("obcms.assessments.needs_urls")),
    path("ppas/", include("obcms.ppas.urls")),
    path("policies/", include("obcms.policies.urls")),
    path("attachments/", include("obcms.records.urls")),
    path("partners/", include("obcms.coordination.urls")),
    path("meetings/", include("obcms.meetings.urls")),
    path("calendar/", include("obcms.agenda.urls")),
    path("", include("obcms.places.urls")),
    path("reports/", include("obcms.reports.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# JSON under /api/ (obcms/api/errors.py), Django's own pages everywhere else.
handler400 = "obcms.api.errors.bad_request"
handler500 = "obcms.api.errors.server_error"
