from __future__ import annotations

import sys
from pathlib import Path

try:
    import anyllm_calllog  # noqa: F401  (installed)
except ImportError:  # run from the repository without installing: the tests register it in-process
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
