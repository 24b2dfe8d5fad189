"""On-disk cache of peak pyramids, so a clip opened again draws at once.

Only the base level is stored (the coarser levels rebuild in well under a
millisecond); an 8-minute song is ~240 KB.  The key is the file's absolute path, size
and ``mtime_ns`` plus the decode settings, so rewriting or touching the audio file
invalidates its entry without any bookkeeping.  The stat is taken *before* decoding:
if the file changes while it is being decoded, the stored entry is already stale and
the next open decodes again.

Entries are written atomically (temp file + rename) and a damaged entry is treated as
a miss.  The folder is pruned oldest-first past ``max_bytes``; a hit refreshes the
entry's mtime, so pruning is least-recently-used.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

from .peaks import PeakPyramid

_MAGIC = b"SSPK"
_VERSION = 1
_HEADER = struct.Struct("<4sHHIIQQ")  # magic, version, reserved, sample rate, bucket, samples, buckets
_SUFFIX = ".peaks"


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("sonic-studio")) / "peaks"


class FileStamp:
    """What identifies one version of a file: path, size and modification time."""

    __slots__ = ("path", "size", "mtime_ns")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.path.abspath(path)
        st = os.stat(self.path)
        self.size = st.st_size
        self.mtime_ns = st.st_mtime_ns

    def key(self, sample_rate: int, bucket: int) -> str:
        raw = f"{_VERSION}|{self.path}|{self.size}|{self.mtime_ns}|{sample_rate}|{bucket}"
        return hashlib.sha1(raw.encode("utf-8", "surrogateescape")).hexdigest()


class PeakCache:
    """A folder of ``<key>.peaks`` files."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, max_bytes: int = 256 << 20) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.max_bytes = max_bytes

    def _entry(self, stamp: FileStamp, sample_rate: int, bucket: int) -> Path:
        return self.directory / (stamp.key(sample_rate, bucket) + _SUFFIX)

    def load(self, path: str | os.PathLike[str], sample_rate: int, bucket: int) -> PeakPyramid | None:
        """The cached pyramid of the file as it is now, or None."""
        try:
            stamp = FileStamp(path)
        except OSError:
            return None
        entry = self._entry(stamp, sample_rate, bucket)
        try:
            data = entry.read_bytes()
        except OSError:
            return None
        pyramid = _decode_entry(data, sample_rate, bucket)
        if pyramid is None:
            entry.unlink(missing_ok=True)
            return None
        try:
            os.utime(entry)
        except OSError:
            pass  # a read-only cache still serves hits
        return pyramid

    def store(self, stamp: FileStamp, pyramid: PeakPyramid) -> None:
        """Save a complete pyramid under the stamp taken before decoding."""
        if not pyramid.complete:
            raise ValueError("only complete pyramids are cached")
        mins, maxs = pyramid.base
        header = _HEADER.pack(_MAGIC, _VERSION, 0, pyramid.sample_rate, pyramid.bucket,
                              pyramid.n_samples, len(mins))
        payload = header + mins.astype("<i2").tobytes() + maxs.astype("<i2").tobytes()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, self._entry(stamp, pyramid.sample_rate, pyramid.bucket))
        except OSError:
            return  # no cache only costs time
        self.prune()

    def prune(self) -> None:
        """Delete least recently used entries until the folder fits ``max_bytes``."""
        try:
            entries = [(e.stat().st_mtime_ns, e.stat().st_size, e.path)
                       for e in os.scandir(self.directory) if e.name.endswith(_SUFFIX)]
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            try:
                os.unlink(path)
                total -= size
            except OSError:
                pass


def _decode_entry(data: bytes, sample_rate: int, bucket: int) -> PeakPyramid | None:
    if len(data) < _HEADER.size:
        return None
    magic, version, _, rate, size, n_samples, n_buckets = _HEADER.unpack_from(data)
    if magic != _MAGIC or version != _VERSION or rate != sample_rate or size != bucket:
        return None
    if len(data) != _HEADER.size + 4 * n_buckets:
        return None
    body = np.frombuffer(data, dtype="<i2", offset=_HEADER.size)
    mins, maxs = body[:n_buckets], body[n_buckets:]
    return PeakPyramid.from_base(mins, maxs, sample_rate=rate, bucket=size, n_samples=n_samples, complete=True)
