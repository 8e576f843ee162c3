"""``AnyLLMInstrumentor``: the OpenTelemetry instrumentor face of anyllm-otel.

``opentelemetry-instrument python app.py`` finds it through the ``opentelemetry_instrumentor`` entry
point and calls ``instrument()``; apps may call it themselves with ``tracer_provider=`` /
``meter_provider=``. The hooks are the same either way (installing the package already turns them on);
``uninstrument()`` unregisters them, so anyllm goes back to its zero-cost path.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]

import anyllm_otel

__all__ = ["AnyLLMInstrumentor"]

_NAME = "anyllm-otel"


class AnyLLMInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Traces and metrics for every anyllm call (GenAI semantic conventions)."""

    def instrumentation_dependencies(self) -> Collection[str]:
        return ("anyllm-core >= 0.1.0",)

    def _instrument(self, **kwargs: Any) -> None:
        from any_llm import plugins

        anyllm_otel.configure(kwargs.get("tracer_provider"), kwargs.get("meter_provider"), enabled=True)
        plugins.register_plugin(anyllm_otel, name=_NAME)

    def _uninstrument(self, **kwargs: Any) -> None:
        from any_llm import plugins

        anyllm_otel.configure(enabled=False)
        plugins.unregister_plugin(anyllm_otel)
