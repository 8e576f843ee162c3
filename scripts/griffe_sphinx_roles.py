"""A griffe extension for the docs site: the Sphinx roles our docstrings use (``:class:`~a.b.C```,
``:func:`x```, ``:mod:`...```) shown as inline code, since mkdocstrings renders Markdown
(:func:`reference_docs.plain_roles`, also used for the docstrings the site's generated pages quote)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from griffe import Extension

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference_docs import ROLE


class SphinxRoles(Extension):
    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(
                lambda m: f"`{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}`", obj.docstring.value
            )
