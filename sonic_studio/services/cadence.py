"""How often to poll a task: the provider's recommended rhythm, or fast against the emulator.

The AI Music API recommends polling every 15-25 s, sunoapi.org about every 30 s
(contract 1.12, 2.11).  Early polls come sooner (short songs and stream URLs are ready
early), later ones back off to the ceiling; every delay is jittered so many tasks do
not poll in lockstep.  Transient errors back off exponentially and a Retry-After
header is always honoured.  Against a loopback base URL (emulator, demo mode) the
default is sub-second so demos and tests never wait; an explicit interval (setting,
``SONIC_STUDIO_POLL_INTERVAL``, ``--poll-interval``) replaces the rhythm entirely.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ..core.models import ProviderId
from ..core.validation import is_loopback

# Beyond this a provider cannot reasonably mean its Retry-After; we still wait long.
MAX_RETRY_AFTER = 600.0
# How long one polling session waits for a task before showing "check again".
DEFAULT_MAX_WAIT = 20 * 60.0
# The shortest interval a person may configure (setting, env var, --poll-interval):
# the providers recommend 15-30 s and document no hard minimum, so 2 s is already
# impolite; the emulator on loopback may be polled fast.
MIN_INTERVAL = 2.0
MIN_LOOPBACK_INTERVAL = 0.01


@dataclass(frozen=True)
class Cadence:
    first: float  # delay before the first poll after submitting
    start: float  # early interval
    ceiling: float  # interval once backed off
    growth: float = 1.5
    jitter: float = 0.15  # +/- fraction
    error_ceiling: float = 120.0
    max_wait: float = DEFAULT_MAX_WAIT

    def delay(
        self,
        polls_done: int,
        *,
        errors: int = 0,
        retry_after: float | None = None,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds to wait before the next poll."""
        if polls_done == 0 and errors == 0:
            base = self.first
        else:
            base = min(self.ceiling, self.start * self.growth ** max(0, polls_done - 1))
        if errors:
            base = min(self.error_ceiling, max(base, self.start) * 2 ** errors)
        if self.jitter:
            base *= 1 + (rng or random).uniform(-self.jitter, self.jitter)
        if retry_after is not None:
            base = max(base, min(retry_after, MAX_RETRY_AFTER))
        return max(0.0, base)


PROVIDER_CADENCE = {
    ProviderId.SONIC: Cadence(first=8.0, start=8.0, ceiling=25.0),
    ProviderId.SUNOAPI: Cadence(first=15.0, start=15.0, ceiling=30.0),
}
LOOPBACK_CADENCE = Cadence(first=0.3, start=0.3, ceiling=1.0, jitter=0.1, error_ceiling=4.0)


def cadence_for(
    provider: ProviderId,
    base_url: str,
    *,
    interval: float | None = None,
    max_wait: float = DEFAULT_MAX_WAIT,
) -> Cadence:
    """The cadence for one task; ``interval`` (if set) overrides everything but Retry-After.

    A non-finite or non-positive interval is ignored: ``inf`` must never mean "never poll".
    """
    if interval is not None and math.isfinite(interval) and interval > 0:
        return Cadence(first=interval, start=interval, ceiling=interval, growth=1.0, jitter=0.0,
                       error_ceiling=max(interval * 8, interval), max_wait=max_wait)
    chosen = LOOPBACK_CADENCE if is_loopback(base_url) else PROVIDER_CADENCE[ProviderId(provider)]
    return Cadence(**{**chosen.__dict__, "max_wait": max_wait})


def usable_interval(value: float | None, base_url: str) -> float | None:
    """A configured interval made safe: None when not a finite positive number, else at least the floor."""
    if value is None or not math.isfinite(value) or value <= 0:
        return None
    return max(value, interval_floor(base_url))


def interval_floor(base_url: str) -> float:
    return MIN_LOOPBACK_INTERVAL if is_loopback(base_url) else MIN_INTERVAL
