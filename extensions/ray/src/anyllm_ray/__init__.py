"""anyllm on Ray Data: send a dataset column of chat messages to any provider, across a cluster.

    import ray
    from anyllm_ray import build_pipeline

    ds = ray.data.read_parquet("s3://bucket/tickets/")      # a "messages" column
    answers = build_pipeline(ds, model="mistral:mistral-small-latest", num_actors=8, rpm=6000)
    answers.write_parquet("s3://bucket/answers/")

:class:`LLMProcessor` is the callable class behind it, for your own ``Dataset.map_batches``.
"""

from __future__ import annotations

from anyllm_ray.processor import LLMProcessor, build_pipeline

__all__ = ["LLMProcessor", "build_pipeline"]
