from django.urls import path

from obcms.assessments import views

app_name = "assessments"
urlpatterns = [
    path("new/for/<int:community_pk>/", views.assessment_create, name="create"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/validate/", views.assessment_validate, name="validate"),
]
