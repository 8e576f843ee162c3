"""The telnyx plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_telnyx import TelnyxProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestTelnyxConformance(OpenAICompatibleConformance):
    provider_class = TelnyxProvider
