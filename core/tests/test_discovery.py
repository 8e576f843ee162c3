"""Entry-point discovery: lazy, isolated per plugin, filtered by env vars, duplicates reported."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from any_llm import plugins
from any_llm.errors import PluginLoadError, UnsupportedProviderError
from any_llm.provider import Provider

PLUGIN_SOURCE = """
from any_llm import hookimpl
from any_llm.provider import Provider

class {cls}(Provider):
    name = "{name}"
    requires_api_key = False
    default_api_base = "http://127.0.0.1:1"

@hookimpl
def anyllm_register_providers(registry):
    registry.register({cls})
"""


def make_dist(root: Path, dist: str, module: str, ep_name: str, source: str) -> None:
    """A minimal installed distribution: a module plus .dist-info with an anyllm entry point."""
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(f"[anyllm]\n{ep_name} = {module}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    # only the fake distributions below: real plugins installed beside them must not change the results
    monkeypatch.setenv("ANYLLM_PLUGINS", "anyllm-alpha,anyllm-beta,anyllm-broken,anyllm-bad,anyllm-one,anyllm-two")
    importlib.invalidate_caches()
    plugins.reset()
    yield tmp_path
    for name in list(sys.modules):
        if name.startswith("fakeplug_"):
            del sys.modules[name]
    plugins.reset()


def test_plugins_load_lazily_and_only_what_is_needed(site: Path) -> None:
    make_dist(site, "anyllm-alpha", "fakeplug_alpha", "alpha", PLUGIN_SOURCE.format(cls="Alpha", name="alpha"))
    make_dist(site, "anyllm-beta", "fakeplug_beta", "beta", PLUGIN_SOURCE.format(cls="Beta", name="beta"))
    assert "fakeplug_alpha" not in sys.modules
    cls = plugins.get_provider_class("ALPHA")
    assert cls.name == "alpha"
    assert "fakeplug_alpha" in sys.modules
    assert "fakeplug_beta" not in sys.modules  # the entry point named like the provider was enough
    infos, failures = plugins.list_providers()
    by_name = {i.name: i for i in infos}
    assert by_name["beta"].distribution == "anyllm-beta"
    assert by_name["beta"].version == "0.1.0"
    assert by_name["alpha"].capabilities["completion"] is True
    assert failures == []


def test_a_broken_plugin_does_not_break_the_others(site: Path) -> None:
    make_dist(site, "anyllm-alpha", "fakeplug_alpha", "alpha", PLUGIN_SOURCE.format(cls="Alpha", name="alpha"))
    make_dist(site, "anyllm-broken", "fakeplug_broken", "broken", "raise ImportError('missing dependency xyz')\n")
    assert plugins.get_provider_class("alpha").name == "alpha"
    with pytest.raises(PluginLoadError, match="anyllm-broken.*missing dependency xyz") as info:
        plugins.get_provider_class("broken")
    assert info.value.distribution == "anyllm-broken"
    _, failures = plugins.list_providers()
    assert [(f.distribution, f.entry_point) for f in failures] == [("anyllm-broken", "broken")]
    assert "missing dependency xyz" in failures[0].error


def test_a_plugin_whose_hook_raises_is_isolated(site: Path) -> None:
    make_dist(site, "anyllm-alpha", "fakeplug_alpha", "alpha", PLUGIN_SOURCE.format(cls="Alpha", name="alpha"))
    make_dist(
        site,
        "anyllm-bad",
        "fakeplug_bad",
        "bad",
        """
from any_llm import hookimpl

@hookimpl
def anyllm_register_providers(registry):
    registry.register(object)
""",
    )
    _, failures = plugins.list_providers()
    assert failures[0].distribution == "anyllm-bad"
    assert "Provider subclass" in failures[0].error
    assert plugins.get_provider_class("alpha").name == "alpha"


def test_two_plugins_claiming_one_name_is_a_clear_error(site: Path) -> None:
    make_dist(site, "anyllm-one", "fakeplug_one", "one", PLUGIN_SOURCE.format(cls="One", name="same"))
    make_dist(site, "anyllm-two", "fakeplug_two", "two", PLUGIN_SOURCE.format(cls="Two", name="same"))
    with pytest.raises(PluginLoadError) as info:
        plugins.get_provider_class("same")
    assert "anyllm-one" in str(info.value) and "anyllm-two" in str(info.value)


def test_anyllm_plugins_restricts_loading(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_dist(site, "anyllm-alpha", "fakeplug_alpha", "alpha", PLUGIN_SOURCE.format(cls="Alpha", name="alpha"))
    make_dist(site, "anyllm-beta", "fakeplug_beta", "beta", PLUGIN_SOURCE.format(cls="Beta", name="beta"))
    monkeypatch.setenv("ANYLLM_PLUGINS", "anyllm-beta")
    plugins.reset()
    infos, _ = plugins.list_providers()
    assert [i.name for i in infos] == ["beta"]
    with pytest.raises(UnsupportedProviderError):
        plugins.get_provider_class("alpha")
    assert "fakeplug_alpha" not in sys.modules


def test_empty_anyllm_plugins_loads_none(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_dist(site, "anyllm-alpha", "fakeplug_alpha", "alpha", PLUGIN_SOURCE.format(cls="Alpha", name="alpha"))
    monkeypatch.setenv("ANYLLM_PLUGINS", "")
    plugins.reset()
    assert plugins.list_providers() == ([], [])


def test_disable_list_blocks_a_plugin(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_dist(site, "anyllm-alpha", "fakeplug_alpha", "alpha", PLUGIN_SOURCE.format(cls="Alpha", name="alpha"))
    monkeypatch.setenv("ANYLLM_DISABLE_PLUGINS", "alpha")
    plugins.reset()
    with pytest.raises(UnsupportedProviderError):
        plugins.get_provider_class("alpha")


def test_a_misspelled_hook_fails_its_plugin_with_the_name(site: Path) -> None:
    source = PLUGIN_SOURCE.format(cls="Alpha", name="alpha").replace(
        "def anyllm_register_providers", "def anyllm_register_provider"
    )
    make_dist(site, "anyllm-alpha", "fakeplug_alpha", "alpha", source)
    make_dist(site, "anyllm-beta", "fakeplug_beta", "beta", PLUGIN_SOURCE.format(cls="Beta", name="beta"))
    infos, failures = plugins.list_providers()
    assert [i.name for i in infos] == ["beta"]
    assert len(failures) == 1 and "anyllm_register_provider" in failures[0].error


def test_in_process_registration_needs_no_packaging(site: Path) -> None:
    class Local(Provider):
        name = "local-test"
        requires_api_key = False

    plugins.register_provider(Local)
    assert plugins.get_provider_class("local-test") is Local
    plugins.unregister_provider("local-test")
    with pytest.raises(UnsupportedProviderError):
        plugins.get_provider_class("local-test")


def test_register_plugin_object_with_hookimpl(site: Path) -> None:
    from any_llm import hookimpl

    class Mod(Provider):
        name = "mod-test"

    class MyPlugin:
        @hookimpl
        def anyllm_register_providers(self, registry: plugins.ProviderRegistry) -> None:
            registry.register(Mod)

    plugins.register_plugin(MyPlugin(), name="my-plugin")
    assert plugins.get_provider_class("mod-test") is Mod


@pytest.mark.parametrize("bad", ["", "Upper", "a:b", "a/b"])
def test_provider_names_are_checked(bad: str) -> None:
    cls = type("P", (Provider,), {"name": bad})
    with pytest.raises(PluginLoadError, match="lower-case"):
        plugins.ProviderRegistry().register(cls)


def test_hookspecs_are_the_documented_contract() -> None:
    from any_llm import hookspecs

    spec = hookspecs.anyllm_register_providers
    assert spec.__doc__ and "registry" in spec.__doc__
    import pluggy

    pm = pluggy.PluginManager("anyllm")
    pm.add_hookspecs(hookspecs)
    from any_llm.callhooks import CALL_HOOKS

    names = sorted(h for h in dir(pm.hook) if h.startswith("anyllm_"))
    assert names == sorted(["anyllm_register_providers", *CALL_HOOKS])
    for name in CALL_HOOKS:  # every call hook says when it fires
        assert (getattr(hookspecs, name).__doc__ or "").strip()
