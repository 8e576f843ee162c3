import sys
from pathlib import Path

# Shared helpers live in mistral_kit.py next to this file (a unique name: all plugins share one session).
sys.path.insert(0, str(Path(__file__).parent))
