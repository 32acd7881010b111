from django.urls import path

from obcms.coordination import views

app_name = "coordination"
urlpatterns = [
    path("", views.partner_list, name="partners"),
    path("new/", views.partner_create, name="partner_create"),
    path("<int:pk>/", views.partner_detail, name="partner"),
    path(
        "engagements/new/for/<int:community_pk>/", views.engagement_create, name="engagement_create"
    ),
]
