"""Audio for tests: the demo's real recordings (MP3, OGG), and silent MP3s made at test
time, as long as a test needs, a few bytes a second."""

from demo import AUDIO_DIR

MP3 = next(AUDIO_DIR.glob("*.mp3"))
OGG = next(AUDIO_DIR.glob("*.ogg"))

# MPEG-2 Layer III, 8 kbit/s, 16 kHz, mono, no CRC: a 36-byte frame holds 576 samples
# (36 ms). A frame of zeros after the header is valid silence to every decoder.
FRAME_HEADER = bytes([0xFF, 0xF3, 0x18, 0xC0])
FRAME_BYTES = 36
FRAME_SECONDS = 576 / 16_000


def silent_mp3(seconds: float) -> bytes:
    """A constant-bitrate MP3 of `seconds` of silence (1 kB a second)."""
    frame = FRAME_HEADER + bytes(FRAME_BYTES - len(FRAME_HEADER))
    return frame * round(seconds / FRAME_SECONDS)
