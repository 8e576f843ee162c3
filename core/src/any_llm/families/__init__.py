"""The API families beside chat: rerank, moderation, image generation, speech, transcription, batch.

Each family follows completion's pattern: a module-level function and its async twin with any-llm's
signature (``any_llm.rerank`` ...), a method on :class:`~any_llm.AnyLLM`, our own pydantic types in
``any_llm.types``, a ``supports_<family>`` flag checked before anything is sent, and one pure
build/parse pair per provider (:class:`~any_llm.families.contract.FamilyHooks`). Batch jobs take
several requests (upload, create, download); a provider writes them as a generator of requests that
the core drives (:mod:`any_llm.families.flow`), the way httpx's auth flows work.

Nothing here is imported by the chat path.
"""
