"""Where the ffmpeg binary is.

imageio-ffmpeg ships a static ffmpeg (no ffprobe) in its wheel, so the app needs no
system package.  ``SONIC_STUDIO_FFMPEG`` (or imageio's own ``IMAGEIO_FFMPEG_EXE``)
points elsewhere, e.g. in a frozen bundle.
"""

from __future__ import annotations

import os
from functools import cache


@cache
def ffmpeg_exe() -> str:
    override = os.environ.get("SONIC_STUDIO_FFMPEG")
    if override:
        return override
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()
