"""The qiniu plugin passes the conformance kit with OpenAI-shaped answers."""

from anyllm_qiniu import QiniuProvider

from any_llm.testing.conformance import OpenAICompatibleConformance


class TestQiniuConformance(OpenAICompatibleConformance):
    provider_class = QiniuProvider
