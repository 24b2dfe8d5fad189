"""Bytes the emulator serves from its CDN paths (audio, cover art, uploaded files)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass


@dataclass
class MediaItem:
    data: bytes
    content_type: str


class MediaStore:
    def __init__(self) -> None:
        self._items: dict[str, MediaItem] = {}
        self._lock = threading.Lock()

    def put(self, data: bytes, content_type: str, ext: str, name: str | None = None) -> str:
        """Store bytes; returns the path they are served at (``/cdn/<name>.<ext>``)."""
        name = name or uuid.uuid4().hex
        path = f"/cdn/{name}.{ext}"
        with self._lock:
            self._items[path] = MediaItem(data, content_type)
        return path

    def get(self, path: str) -> MediaItem | None:
        with self._lock:
            return self._items.get(path)

    def remove(self, path: str) -> None:
        """Forget a file, as an expiring provider URL would (tests use this for 404s)."""
        with self._lock:
            self._items.pop(path, None)
