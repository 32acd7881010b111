from django.urls import path

from obcms.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/archive/", views.meeting_archive, name="meeting_archive"),
    path("<int:pk>/restore/", views.meeting_restore, name="meeting_restore"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
]
