"""Emulated sonic contract (routes registered on the shared Emulator). Work in progress."""

from __future__ import annotations

from .app import Emulator


def register(emu: Emulator) -> None:
    pass
