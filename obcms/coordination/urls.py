from django.urls import path

from obcms.coordination import views

app_name = "coordination"
urlpatterns = [
    path("", views.partner_list, name="partners"),
    path("new/", views.partner_create, name="partner_create"),
    path("<int:pk>/", views.partner_detail, name="partner"),
    path("<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("<int:pk>/archive/", views.partner_archive, name="partner_archive"),
    path("<int:pk>/restore/", views.partner_restore, name="partner_restore"),
    path("engagements/", views.engagement_list, name="engagements"),
    path(
        "engagements/new/for/<int:community_pk>/", views.engagement_create, name="engagement_create"
    ),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement"),
    path("engagements/<int:pk>/edit/", views.engagement_edit, name="engagement_edit"),
    path("engagements/<int:pk>/close/", views.engagement_close, name="engagement_close"),
    path("engagements/<int:pk>/archive/", views.engagement_archive, name="engagement_archive"),
    path("engagements/<int:pk>/restore/", views.engagement_restore, name="engagement_restore"),
]
