"""A fast structural check of an audio file: is it audio, and how long does it really play?

Every download used to be decoded end to end by an ffmpeg process to prove it plays;
with 200 tasks at once the app was bound by ffmpeg, not the network (issue 16).  This
check reads the file in-process with PyAV instead: the container is opened, every
packet of the first audio stream is demuxed *without decoding* (their timestamps give
the length the file really plays, so audio cut off on the way is caught even when its
header announces the whole song), and the first and last few packets are decoded to
prove the codec works at both ends; a short clip is decoded whole (cheap).  An
8-minute MP3 takes 50-200 ms of one core instead of an ffmpeg process's ~1 s.

Without PyAV, :func:`structure` returns None and callers fall back to the ffmpeg
binary (a full decode).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# Packets decoded at each end: enough to get past an encoder's priming frames.
_EDGE_PACKETS = 8


class NotAudio(Exception):
    """The file is not audio that can be decoded; ``str()`` says why, shortly."""


@dataclass(frozen=True)
class Structure:
    seconds: float  # how long the demuxed packets play
    packets: int
    codec: str


def available() -> bool:
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


def structure(path: str | os.PathLike[str], *, decode_below: float = 0.0) -> Structure | None:
    """The file's playing length from its packets; raises :class:`NotAudio`; None without PyAV.

    A file that plays at most ``decode_below`` seconds is decoded end to end as well
    (cheap for a short clip): a decoding error anywhere in it is then refused too.
    """
    try:
        import av
    except ImportError:
        return None
    try:
        container = av.open(os.fspath(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise NotAudio(_reason(exc)) from None
    try:
        if not container.streams.audio:
            raise NotAudio("no audio track")
        stream = container.streams.audio[0]
        codec = stream.codec_context.name
        first = last = None
        count = 0
        head, tail = [], []
        try:
            for packet in container.demux(stream):
                if packet.size == 0:  # the demuxer's flush packet
                    continue
                count += 1
                if packet.pts is not None:
                    first = packet.pts if first is None else min(first, packet.pts)
                    end = packet.pts + (packet.duration or 0)
                    last = end if last is None else max(last, end)
                if len(head) < _EDGE_PACKETS:
                    head.append(packet)
                else:
                    tail.append(packet)
                    if len(tail) > _EDGE_PACKETS:
                        tail.pop(0)
        except av.FFmpegError as exc:
            raise NotAudio(_reason(exc)) from None
        if count == 0:
            raise NotAudio("no audio frames in the file")
        samples = _decode(stream, head) + (_decode(stream, tail, reset=True) if tail else 0)
        if samples == 0:
            raise NotAudio(f"its {codec} audio cannot be decoded")
        seconds = float((last - first) * stream.time_base) if first is not None and stream.time_base else 0.0
        if seconds <= decode_below:
            _decode_all(container, stream)
        return Structure(seconds=seconds, packets=count, codec=codec)
    finally:
        container.close()


def _decode(stream, packets, *, reset: bool = False) -> int:
    """Samples decoded from ``packets``; decoding errors count as none."""
    import av

    ctx = stream.codec_context
    if reset:
        ctx.flush_buffers()  # the tail does not follow the head: no stale state between them
    samples = 0
    for packet in packets:
        try:
            samples += sum(frame.samples for frame in ctx.decode(packet))
        except av.FFmpegError:
            continue  # a tail packet may depend on frames we skipped (bit reservoir): others decide
    return samples


def _decode_all(container, stream) -> None:
    import av

    container.seek(0)
    stream.codec_context.flush_buffers()
    try:
        for _frame in container.decode(stream):
            pass
    except av.FFmpegError as exc:
        raise NotAudio(_reason(exc)) from None


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.strip().rstrip(".")[:120] or type(exc).__name__
