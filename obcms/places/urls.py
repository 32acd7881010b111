from django.urls import path

from obcms.places import views

app_name = "places"
urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map/markers.json", views.markers_json, name="markers"),
    path("places/", views.place_index, name="index"),
    path("places/<str:psgc>/", views.place_profile, name="profile"),
]
