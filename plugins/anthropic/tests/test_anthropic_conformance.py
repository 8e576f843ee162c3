"""The anthropic plugin passes the conformance kit with Messages API wire answers.

The shapes are those of ``spec/examples.json`` (Anthropic's documented messages, named-event SSE
transcripts and ``{"type": "error", ...}`` bodies), filled with the kit's canonical values.
"""

from __future__ import annotations

import json

from anyllm_anthropic import AnthropicProvider
from anyllm_anthropic.testing import message_reply, messages_exchanges

from any_llm.testing import Reply
from any_llm.testing.conformance import (
    MODEL_IDS,
    TEXT,
    ProviderConformance,
    run_scenario,
)

MODEL = "claude-sonnet-4-20250514"
EXCHANGES: dict[str, Reply] = {
    **messages_exchanges(model=MODEL),
    # GET /v1/models: one page of ModelInfo objects with the pagination fields
    "list_models": Reply.json(
        {
            "data": [
                {"type": "model", "id": m, "display_name": m, "created_at": "2025-05-22T00:00:00Z"} for m in MODEL_IDS
            ],
            "has_more": False,
            "first_id": MODEL_IDS[0],
            "last_id": MODEL_IDS[-1],
        }
    ),
}


BATCH = {  # a message_batch (https://docs.anthropic.com/en/api/creating-message-batches)
    "id": "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF",
    "type": "message_batch",
    "processing_status": "in_progress",
    "request_counts": {"processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
    "ended_at": None,
    "created_at": "2024-09-24T18:37:24.100435Z",
    "expires_at": "2024-09-25T18:37:24.100435Z",
    "archived_at": None,
    "cancel_initiated_at": None,
    "results_url": None,
}
ENDED = {
    **BATCH,
    "processing_status": "ended",
    "request_counts": {"processing": 0, "succeeded": 1, "errored": 1, "canceled": 0, "expired": 0},
    "ended_at": "2024-09-24T19:01:02.000000Z",
    "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results",
}


def batch_results() -> Reply:
    succeeded = {
        "custom_id": "req-1",
        "result": {
            "type": "succeeded",
            "message": json.loads(message_reply([{"type": "text", "text": TEXT}], "end_turn").chunks[0]),
        },
    }
    errored = {
        "custom_id": "req-2",
        "result": {
            "type": "errored",
            "error": {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "message": "messages: text content blocks must be non-empty",
                },
            },
        },
    }
    return Reply.text(json.dumps(succeeded) + "\n" + json.dumps(errored) + "\n", content_type="application/binary")


class TestAnthropicConformance(ProviderConformance):
    provider_class = AnthropicProvider
    model = MODEL
    base_path = ""
    """The default base URL is https://api.anthropic.com; the provider adds ``/v1/messages``."""

    def exchange(self, scenario: str) -> Reply | list[Reply]:
        if scenario == "batch":
            return [Reply.json(BATCH), Reply.json(ENDED), batch_results()]
        return EXCHANGES[scenario]

    def messages_exchange(self, scenario: str) -> Reply:
        """messages() is native here: the Messages-shaped answers of the completion scenarios serve it as is."""
        return EXCHANGES[scenario]

    def test_requests_go_to_the_messages_endpoint(self) -> None:
        outcome = run_scenario(
            self.provider_class,
            "tool_round_trip",
            self.replies("tool_round_trip"),
            use_async=False,
            model=self.model,
            base_path=self.base_path,
        )
        assert outcome.error is None
        assert [(r.method, r.path) for r in outcome.requests or []] == [("POST", "/v1/messages")] * 2
        assert all(r.headers["anthropic-version"] == "2023-06-01" for r in outcome.requests or [])
