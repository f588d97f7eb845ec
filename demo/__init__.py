"""Demo content for `manage.py seed_demo`: the texts (content.py), the records they become
(seed.py), bulk benchmark data (synthetic.py) and the audio assets (audio/)."""

from pathlib import Path

AUDIO_DIR = Path(__file__).resolve().parent / "audio"
