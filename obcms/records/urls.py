from django.urls import path

from obcms.records import attachment_views

app_name = "attachments"
urlpatterns = [
    path("<str:label>/<int:object_pk>/", attachment_views.upload, name="upload"),
    path("<str:label>/<int:object_pk>/<int:pk>/", attachment_views.download, name="download"),
    path("<str:label>/<int:object_pk>/<int:pk>/remove/", attachment_views.remove, name="remove"),
]
