from django.urls import path

from obcms.ppas import views

app_name = "ppas"
urlpatterns = [
    path("", views.ppa_list, name="list"),
    path("new/", views.ppa_create, name="create"),
    path("<int:pk>/", views.ppa_detail, name="detail"),
    path("<int:pk>/edit/", views.ppa_edit, name="edit"),
    path("<int:pk>/move/", views.ppa_move, name="move"),
    path("<int:pk>/updates/", views.ppa_update, name="update"),
    path("<int:pk>/needs/", views.ppa_link, name="link"),
    path("<int:pk>/needs/<int:need_pk>/unlink/", views.ppa_unlink, name="unlink"),
    path("<int:pk>/archive/", views.ppa_archive, name="archive"),
    path("<int:pk>/restore/", views.ppa_restore, name="restore"),
]
