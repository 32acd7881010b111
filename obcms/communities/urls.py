from django.urls import path

from obcms.communities import views

app_name = "communities"
urlpatterns = [
    path("", views.community_list, name="list"),
    path("new/", views.community_create, name="create"),
    path("<int:pk>/", views.community_detail, name="detail"),
    path("<int:pk>/edit/", views.community_edit, name="edit"),
    path("barangays.json", views.barangays_json, name="barangays"),
]
