import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.audio_samples import MP3
from wordpress.importer import Importer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wordpress"


@pytest.fixture
def run_import(tmp_path):
    """Import WXR bytes (or a file) like the command does; returns the report."""
    runs = iter(range(1, 100))

    def run(data, **options):
        n = next(runs)
        if isinstance(data, bytes):
            path = tmp_path / f"export-{n}.xml"
            path.write_bytes(data)
        else:
            path = data
        options.setdefault("warnings_path", tmp_path / f"warnings-{n}.txt")
        return Importer(path, **options).run()

    return run


@pytest.fixture
def media_dir(tmp_path):
    """A copy of an old site's wp-content/uploads with a few files."""
    uploads = tmp_path / "uploads"
    folder = uploads / "2019" / "05"
    folder.mkdir(parents=True)
    Image.new("RGB", (40, 30), "teal").save(folder / "photo.jpg")
    Image.new("RGB", (20, 20), "orange").save(folder / "photo-150x150.jpg")
    Image.new("RGB", (64, 48), "navy").save(folder / "cover.png")
    shutil.copy(MP3, folder / "episode.mp3")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not much of a pdf")
    (folder / "fake.mp3").write_bytes(b"this is not audio at all" * 50)
    return uploads


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    """Warning files the importer writes by default land in a temporary folder."""
    settings.VAR_DIR = tmp_path / "var"
