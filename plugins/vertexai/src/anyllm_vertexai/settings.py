"""Project, location, endpoint and credentials of a Vertex AI client, shared by every Vertex provider.

``anyllm-vertexaianthropic`` (Claude on Vertex) uses this module too: the settings are Vertex's, not
the model family's. Resolution order, for each:

- project: ``project=`` (or ``project_id=``), ``VERTEXAI_PROJECT``, ``GOOGLE_CLOUD_PROJECT``, then the
  credentials file's ``project_id`` / ``quota_project_id``;
- location: ``location=`` (or ``region=``), ``VERTEXAI_LOCATION``, ``GOOGLE_CLOUD_LOCATION``, then the
  provider's default;
- credentials: ``credentials=`` (a path or a parsed dict), else Application Default Credentials
  (:func:`anyllm_vertexai.google_auth.application_default`);
- endpoint: ``https://{location}-aiplatform.googleapis.com`` (``https://aiplatform.googleapis.com`` for
  ``global``), unless ``api_base`` is given.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from any_llm import errors
from any_llm.auth import TokenAuth

__all__ = ["ENDPOINT_TEMPLATE", "OPTIONS", "VertexSettings"]

ENDPOINT_TEMPLATE = "https://{location}-aiplatform.googleapis.com"
"""The ``default_api_base`` of Vertex providers: the location is filled in per client."""
OPTIONS = frozenset({"project", "project_id", "location", "region", "credentials"})
"""The ``client_args`` every Vertex provider accepts (see :class:`VertexSettings`)."""


@dataclass
class VertexSettings:
    """One client's Vertex settings; ``provider`` names it in errors."""

    provider: str
    default_location: str
    project_env: tuple[str, ...] = ("VERTEXAI_PROJECT", "GOOGLE_CLOUD_PROJECT")
    location_env: tuple[str, ...] = ("VERTEXAI_LOCATION", "GOOGLE_CLOUD_LOCATION")
    project: str | None = None
    location: str | None = None
    credentials: Any = None
    _auth: tuple[TokenAuth, dict[str, Any]] | None = field(default=None, repr=False)

    def configure(self, options: Mapping[str, Any]) -> None:
        for names, attr in ((("project", "project_id"), "project"), (("location", "region"), "location")):
            given = [options[n] for n in names if options.get(n) is not None]
            if len(given) > 1:
                raise errors.ConfigurationError(f"pass {names[0]} or {names[1]}, not both", provider=self.provider)
            if given:
                if not isinstance(given[0], str) or not given[0].strip():
                    raise errors.ConfigurationError(f"{attr} must be a non-empty string", provider=self.provider)
                setattr(self, attr, given[0].strip())
        if options.get("credentials") is not None:
            credentials = options["credentials"]
            if not isinstance(credentials, (str, os.PathLike, Mapping)):
                raise errors.ConfigurationError(
                    "credentials must be a path to a Google credentials JSON file or its parsed dict",
                    provider=self.provider,
                )
            self.credentials = credentials

    def auth(self) -> tuple[TokenAuth, dict[str, Any]]:
        """The token flow and the credentials file's content, read once."""
        if self._auth is None:
            from anyllm_vertexai.google_auth import application_default

            self._auth = application_default(self.credentials)
        return self._auth

    def resolved_location(self) -> str:
        return self.location or next((v for v in map(os.environ.get, self.location_env) if v), self.default_location)

    def resolved_project(self) -> str:
        project = self.project or next((v for v in map(os.environ.get, self.project_env) if v), None)
        if project is None:
            info = self.auth()[1]
            found = info.get("project_id") or info.get("quota_project_id")
            project = found if isinstance(found, str) and found else None
        if project is None:
            raise errors.ConfigurationError(
                f"{self.provider} needs a Google Cloud project: pass project=... (client_args) or set "
                f"{' or '.join(self.project_env)}",
                provider=self.provider,
            )
        return project

    def base_url(self, api_base: str) -> str:
        """The endpoint: ``api_base`` as given, or the location's when it is the template."""
        if api_base != ENDPOINT_TEMPLATE:
            return api_base
        location = self.resolved_location()
        if location == "global":
            return "https://aiplatform.googleapis.com"
        return ENDPOINT_TEMPLATE.format(location=quote(location, safe=""))

    def model_path(self, api_base: str, publisher: str, model: str) -> str:
        """``{endpoint}/v1/projects/{p}/locations/{l}/publishers/{publisher}/models/{model}``."""
        project = quote(self.resolved_project(), safe="")
        location = quote(self.resolved_location(), safe="")
        model_id = quote(model.strip().removeprefix(f"publishers/{publisher}/models/"), safe="@.")
        return (
            f"{self.base_url(api_base)}/v1/projects/{project}/locations/{location}"
            f"/publishers/{publisher}/models/{model_id}"
        )
