"""Always an answer in the view's format (JSON), never a 406."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation

if TYPE_CHECKING:
    from rest_framework.renderers import BaseRenderer
    from rest_framework.request import Request


class JsonContentNegotiation(DefaultContentNegotiation):
    """The view's first renderer (JSON) when the client's Accept header matches none: an API
    client that asks for HTML or XML still gets an answer, not a 406."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type
