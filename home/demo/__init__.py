"""Demo content for `manage.py seed_demo`: the texts (content.py) and audio assets (audio/)."""

from pathlib import Path

AUDIO_DIR = Path(__file__).resolve().parent / "audio"
