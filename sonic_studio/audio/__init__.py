"""Audio: decoding with ffmpeg, peak pyramids and their cache, pydub edits, playback."""
