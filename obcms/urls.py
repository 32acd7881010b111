"""URL map. The probes come first; the admin lives at ADMIN_URL."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from obcms import views

urlpatterns = [
    path("", include("obcms.health.urls")),
    path("", views.home, name="home"),
    path(settings.ADMIN_URL, admin.site.urls),
]
