"""Reusable widgets shared by the tabs: the waveform view (preview, extend marker, persona range)."""
