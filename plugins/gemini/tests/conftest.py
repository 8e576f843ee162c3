from any_llm.testing.pytest_plugin import mock_server  # noqa: F401
