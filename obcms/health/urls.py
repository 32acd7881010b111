from django.urls import path

from obcms.health import views
from obcms.platform import HEALTH_PATH, READY_PATH

# For reverse(): requests to these paths are answered by ProbeMiddleware before the URLconf.
urlpatterns = [
    path(HEALTH_PATH.lstrip("/"), views.health, name="health"),
    path(READY_PATH.lstrip("/"), views.ready, name="ready"),
]
