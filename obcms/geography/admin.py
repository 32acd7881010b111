from django.contrib import admin

from obcms.geography.models import Barangay, Municipality, Province, Region
from obcms.security.autocomplete import AutocompleteAdminMixin


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "psgc_code", "population", "latitude", "longitude")
    search_fields = ("name", "psgc_code")


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "psgc_code", "population")
    list_filter = ("region",)
    search_fields = ("name", "psgc_code")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "province", "region", "psgc_code", "population")
    list_filter = ("region", "kind")
    list_select_related = ("province", "region")
    search_fields = ("name", "psgc_code")


@admin.register(Barangay)
class BarangayAdmin(AutocompleteAdminMixin, admin.ModelAdmin):
    list_display = ("name", "municipality", "psgc_code", "population", "latitude", "longitude")
    list_select_related = ("municipality__province",)
    search_fields = ("name", "psgc_code", "municipality__name")
    autocomplete_fields = ("municipality",)
