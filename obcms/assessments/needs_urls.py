from django.urls import path

from obcms.assessments import register

app_name = "needs"
urlpatterns = [
    path("", register.need_list, name="list"),
    path("prioritize/", register.need_prioritize, name="prioritize"),
    path("<int:pk>/", register.need_detail, name="detail"),
    path("<int:pk>/edit/", register.need_edit, name="edit"),
    path("<int:pk>/decide/", register.need_decide, name="decide"),
]
