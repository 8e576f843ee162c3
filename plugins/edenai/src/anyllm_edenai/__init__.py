"""Eden AI (api.edenai.run/v3) for anyllm: chat, embeddings and models through Eden AI's LLM gateway.

Eden AI's LLM endpoint is OpenAI's chat completions protocol with ``provider/model`` ids
(https://docs.edenai.co/v3, "LLMs vs expert models"), with vision and tool calling. The base is
any-llm's (``/v3``, verified live by Eden AI when the provider was added); Eden AI's quickstart
also documents ``/v3/llm`` for the OpenAI SDKs, which ``EDENAI_API_BASE`` can select.

Reasoning is not declared: Eden AI inlines it in the content rather than in a field. Its
``/v3/models`` list leaves out ``owned_by``; it is filled from the ``provider/`` prefix of the id,
as any-llm does, so a model list says whose model each entry is.
"""

from __future__ import annotations

from any_llm import hookimpl
from any_llm.openai_compat import OpenAICompatibleProvider
from any_llm.plugins import ProviderRegistry
from any_llm.types.model import Model

__all__ = ["EdenaiProvider"]


class EdenaiProvider(OpenAICompatibleProvider):
    """Eden AI's OpenAI-compatible LLM endpoint."""

    name = "edenai"
    display_name = "Eden AI"
    api_key_env = ("EDENAI_API_KEY",)
    api_base_env = ("EDENAI_API_BASE",)
    default_api_base = "https://api.edenai.run/v3"
    docs_url = "https://www.edenai.co/docs"
    supports_images = True
    supports_embedding = True
    supports_list_models = True

    def parse_list_models(self, body: bytes) -> list[Model]:
        models = super().parse_list_models(body)
        for model in models:
            if not model.owned_by:
                owner, slash, _ = model.id.partition("/")
                model.owned_by = owner if slash and owner else "edenai"
        return models


@hookimpl
def anyllm_register_providers(registry: ProviderRegistry) -> None:
    registry.register(EdenaiProvider)
