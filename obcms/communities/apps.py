from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "obcms.communities"
    verbose_name = "Communities"

    def ready(self) -> None:
        from obcms.communities.models import Community
        from obcms.geography.loading import places_loaded

        # A reload of the places may move a municipality to another province or region.
        places_loaded.connect(
            lambda **kwargs: Community.refresh_places(), weak=False, dispatch_uid="communities"
        )
