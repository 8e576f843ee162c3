"""The minimax plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_minimax import MinimaxProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestMinimaxConformance(OpenAICompatibleConformance):
    provider_class = MinimaxProvider
