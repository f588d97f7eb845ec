"""The old site's media on import: files copied and their addresses rewritten, the audio
version found, what is missing or unreadable reported, nothing outside the upload folder."""

import shutil

import pytest

from blog.models import Post
from tests.wordpress.wxr import attachment, export, item

pytestmark = pytest.mark.django_db


def test_media_are_copied_and_urls_rewritten(run_import, media_dir, settings, client, site):
    up = "https://old.example.com/wp-content/uploads/2019/05/"
    data = export(
        attachment(50, up + "cover.png", alt="The cover"),
        item(
            1,
            content=f'<img src="{up}photo.jpg?w=300" alt="P">\n\n'
            f'<a href="{up}notes.pdf">Notes</a>\n\n<img src="{up}missing.jpg" alt="M">',
            meta={"_thumbnail_id": "50"},
        ),
    )
    report = run_import(data, media_dir=media_dir)
    post = Post.objects.get()
    assert post.body == (
        "![P](/media/wordpress/2019/05/photo.jpg)\n\n[Notes](/media/wordpress/2019/05/notes.pdf)"
        f"\n\n![M]({up}missing.jpg)\n"
    )
    assert post.cover_image.name == "wordpress/2019/05/cover.png"
    assert post.cover_alt == "The cover"
    assert (settings.MEDIA_ROOT / "wordpress/2019/05/notes.pdf").read_bytes().startswith(b"%PDF")
    assert report.media == {"copied": 3, "reused": 0, "missing": 1}
    assert report.warning_kinds == {"missing media": 1}
    assert client.get(post.get_absolute_url()).status_code == 200

    again = run_import(data, media_dir=media_dir)
    assert again.media == {"copied": 0, "reused": 3, "missing": 1}
    assert again.items["post"] == {"unchanged": 1}
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "wordpress/2019/05").iterdir()) == [
        "cover.png",
        "notes.pdf",
        "photo.jpg",
    ]


UP = "https://old.example.com/wp-content/uploads/2019/05/"


@pytest.mark.parametrize(
    "fields",
    [
        {
            "meta": {"enclosure": f"{UP}episode.mp3\n47229\naudio/mpeg\n"},
            "content": f'Text.\n\n[audio src="{UP}episode.mp3"]',
        },
        {"content": f'Listen: [audio mp3="{UP}episode.mp3"][/audio]\n\nText.'},
        {"content": f"[audio {UP}episode.mp3]\n\nText."},
        {
            "content": '<!-- wp:audio --><figure class="wp-block-audio"><audio controls '
            f'src="{UP}episode.mp3"></audio></figure><!-- /wp:audio -->\n'
            "<!-- wp:paragraph --><p>Text.</p><!-- /wp:paragraph -->"
        },
    ],
    ids=["enclosure", "shortcode", "positional", "block"],
)
def test_enclosure_or_audio_shortcode_becomes_the_audio_version(
    run_import, media_dir, fields, client, site
):
    report = run_import(export(item(1, **fields)), media_dir=media_dir)
    post = Post.objects.get()
    assert post.audio.name == "wordpress/2019/05/episode.mp3"
    assert post.audio_mime_type == "audio/mpeg"
    assert post.audio_duration > 0
    assert "episode.mp3" not in post.body  # played above the text, not twice
    assert "Text." in post.body
    assert report.warnings == []
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<audio controls preload="none" src="/media/wordpress/2019/05/episode.mp3">' in html


def test_unreadable_or_missing_audio_is_reported_not_fatal(run_import, media_dir):
    up = "https://old.example.com/wp-content/uploads/2019/05/"
    data = export(
        item(1, meta={"enclosure": f"{up}fake.mp3\n10\naudio/mpeg"}),
        item(2, content=f'[audio src="{up}gone.mp3"]'),
    )
    report = run_import(data, media_dir=media_dir)
    assert report.items["post"] == {"created": 2}
    assert not Post.objects.exclude(audio="").exists()
    assert report.warning_kinds["audio"] == 1
    assert report.warning_kinds["missing media"] >= 1
    assert "could not be read as audio" in str(report.warnings)


def test_upload_folder_is_never_left(run_import, media_dir, tmp_path, settings):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not publish")
    shutil.copy(secret, media_dir.parent / "outside.jpg")
    data = export(
        item(1, content='<img src="https://old.example.com/wp-content/uploads/../outside.jpg">')
    )
    run_import(data, media_dir=media_dir)
    assert not (settings.MEDIA_ROOT / "wordpress").exists()
