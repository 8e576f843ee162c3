"""Following a list endpoint's pages to the end (``list_models``), guarded against a server that loops.

The provider declares how its pages chain (:meth:`~any_llm.families.contract.FamilyHooks.next_list_models_request`:
a cursor, a page token, ``has_more``...); the core sends one page after the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from any_llm import errors

if TYPE_CHECKING:
    from collections.abc import Sequence

    from any_llm.provider import HTTPRequest, Provider
    from any_llm.types.model import Model

__all__ = ["MAX_PAGES", "Pages", "next_page"]

MAX_PAGES = 1000
"""More pages than this is a server that never says it is done."""


class Pages:
    """The state of one paged listing: the next request and what was collected."""

    def __init__(self, provider: Provider, first: HTTPRequest) -> None:
        self.provider = provider
        self.request: HTTPRequest | None = first
        self.models: list[Model] = []
        self._seen: set[tuple[tuple[str, str], ...]] = set()

    def add(self, body: bytes, models: Sequence[Model] | None = None) -> None:
        """Take one page (its body, and its models when already parsed); set :attr:`request` to the next
        page's, or None after the last."""
        from any_llm.wire import call_plugin

        assert self.request is not None
        name = self.provider.name
        if models is None:
            models = call_plugin(name, "a model list", body, 200, self.provider.parse_list_models, body)
        self.models.extend(models)
        self._seen.add(tuple(sorted((self.request.params or {}).items())))
        following = call_plugin(
            name, "a model list", body, 200, self.provider.next_list_models_request, self.request, body
        )
        if following is not None:
            key = tuple(sorted((following.params or {}).items()))
            if key in self._seen or len(self._seen) >= MAX_PAGES:
                raise errors.ResponseValidationError(
                    f"{self.provider.name} keeps answering with more model pages (the same cursor again, or over "
                    f"{MAX_PAGES} pages); the listing was stopped",
                    provider=self.provider.name,
                )
        self.request = following


def next_page(request: HTTPRequest, **query: str) -> HTTPRequest:
    """``request`` again with ``query`` merged into its query string (the next page's cursor)."""
    import dataclasses

    return dataclasses.replace(request, params={**(request.params or {}), **query})
