from django.urls import path

from obcms.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/for/<int:community_pk>/", views.assessment_create, name="create"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/validate/", views.assessment_validate, name="validate"),
    path("<int:pk>/return/", views.assessment_return, name="return"),
    path("<int:pk>/archive/", views.assessment_archive, name="archive"),
    path("<int:pk>/restore/", views.assessment_restore, name="restore"),
]
