"""Bytes the emulator serves from its CDN paths (audio, cover art, uploaded files).

In memory for tests; with ``keep_in(folder)`` (demo mode, ``--state-dir``) every file is
also written there as it is made and read back after a restart, so links the library
holds (an upload's hosted copy, a clip still downloading) keep working.
"""

from __future__ import annotations

import mimetypes
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass
class MediaItem:
    data: bytes
    content_type: str


class MediaStore:
    def __init__(self) -> None:
        self._items: dict[str, MediaItem] = {}
        self._lock = threading.Lock()
        self._folder: Path | None = None

    def keep_in(self, folder: Path) -> None:
        """Write every file to ``folder`` too, and serve files found there."""
        folder.mkdir(parents=True, exist_ok=True)
        self._folder = folder

    def put(self, data: bytes, content_type: str, ext: str, name: str | None = None) -> str:
        """Store bytes; returns the path they are served at (``/cdn/<name>.<ext>``)."""
        name = name or uuid.uuid4().hex
        path = f"/cdn/{name}.{ext}"
        if self._folder is not None:
            from .state_folder import write_atomic  # (state_folder imports nothing of ours at load)

            write_atomic(self._folder / path.removeprefix("/cdn/"), data)
        with self._lock:
            self._items[path] = MediaItem(data, content_type)
        return path

    def get(self, path: str) -> MediaItem | None:
        with self._lock:
            item = self._items.get(path)
        if item is None and self._folder is not None and path.startswith("/cdn/"):
            # Made by an earlier run: read from disk each time (not cached; a library can be large).
            file = self._folder / path.removeprefix("/cdn/")
            if "/" not in path.removeprefix("/cdn/") and file.is_file():
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                return MediaItem(file.read_bytes(), kind)
        return item

    def remove(self, path: str) -> None:
        """Forget a file, as an expiring provider URL would (tests use this for 404s)."""
        with self._lock:
            self._items.pop(path, None)
        if self._folder is not None:
            (self._folder / path.removeprefix("/cdn/")).unlink(missing_ok=True)
