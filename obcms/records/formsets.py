"""How many rows one formset takes: a cap fit for what it lists, refused with a form error.

Without one Django builds up to ``max_num + 1000`` forms (2,000 by default) from whatever
``TOTAL_FORMS`` a request claims, and the page that shows them again runs to megabytes. With
``absolute_max`` equal to ``max_num`` and ``validate_max``, a claim beyond the cap builds at most
the cap's forms and the formset answers "at most N" (``too_many_forms``)."""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpRequest


def rows_at_most(most: int) -> dict[str, object]:
    """The keyword arguments of ``formset_factory`` / ``inlineformset_factory`` for a cap."""
    return {"max_num": most, "absolute_max": most, "validate_max": True}


class CappedInline:
    """For an InlineModelAdmin: its ``max_num`` is the hard cap, checked, as on the pages."""

    max_num: int

    def get_formset(self, request: HttpRequest, obj: Model | None = None, **kwargs: object):
        cap = self.get_max_num(request, obj, **kwargs)
        return super().get_formset(
            request, obj, **{"absolute_max": cap, "validate_max": True, **kwargs}
        )
