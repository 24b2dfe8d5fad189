"""Sonic Studio: a desktop studio for the AI Music API (sonic) and sunoapi.org."""

__version__ = "0.1.0"
