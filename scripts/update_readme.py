"""Regenerate the README's provider list from the installed plugins' declarations.

The code lives in ``scripts/provider_docs.py``, shared with the docs site's provider pages (one source
of truth); the full table and the native-vs-translated table are generated into the site at build time.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from provider_docs import provider_infos, update_readme


def main() -> None:
    update_readme()
    print(f"README.md: {len(provider_infos())} providers")


if __name__ == "__main__":
    main()
