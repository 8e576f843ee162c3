"""The atlascloud plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_atlascloud import AtlascloudProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestAtlascloudConformance(OpenAICompatibleConformance):
    provider_class = AtlascloudProvider
