from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "obcms.places"
    verbose_name = "Maps and place profiles"
