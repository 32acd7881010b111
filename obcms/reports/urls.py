from django.urls import path

from obcms.reports import views

app_name = "reports"
urlpatterns = [
    path("exports/", views.export_list, name="exports"),
    path("exports/new/", views.export_create, name="export_create"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("imports/new/", views.import_create, name="import_create"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("pdf/", views.pdf_list, name="pdfs"),
    path("pdf/new/", views.pdf_create, name="pdf_create"),
    path("pdf/<int:pk>/", views.pdf_detail, name="pdf"),
    path("pdf/<int:pk>/download/", views.pdf_download, name="pdf_download"),
]
