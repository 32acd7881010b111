from django.urls import path

from obcms.agenda import views

app_name = "agenda"
urlpatterns = [
    path("", views.month, name="month"),
    path("agenda/", views.agenda, name="agenda"),
    path("feed/new/", views.feed_new, name="feed_new"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
