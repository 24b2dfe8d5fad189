"""Poll cadence: the providers' rhythm, fast on loopback, backoff, Retry-After, jitter."""

from __future__ import annotations

import random

from sonic_studio.core.models import ProviderId
from sonic_studio.services.cadence import MAX_RETRY_AFTER, cadence_for

SONIC, SUNO = ProviderId.SONIC, ProviderId.SUNOAPI


def delays(cadence, n: int, **kw) -> list[float]:
    rng = random.Random(1)
    return [cadence.delay(i, rng=rng, **kw) for i in range(n)]


def test_sonic_starts_early_and_backs_off_to_its_recommended_window():
    cadence = cadence_for(SONIC, "https://api.aimusicapi.ai")
    series = delays(cadence, 12)
    assert series[0] < 10
    assert all(25 * 0.85 <= d <= 25 * 1.15 for d in series[-4:])
    assert all(d <= 25 * 1.15 for d in series)


def test_sunoapi_polls_about_every_thirty_seconds():
    series = delays(cadence_for(SUNO, "https://api.sunoapi.org"), 10)
    assert 15 * 0.85 <= series[0] <= 15 * 1.15
    assert all(30 * 0.85 <= d <= 30 * 1.15 for d in series[-3:])


def test_loopback_is_fast_and_explicit_interval_is_exact():
    assert max(delays(cadence_for(SONIC, "http://127.0.0.1:8787"), 20)) <= 1.0 * 1.1
    fixed = cadence_for(SUNO, "https://api.sunoapi.org", interval=0.05)
    assert delays(fixed, 5) == [0.05] * 5


def test_jitter_spreads_tasks_apart():
    cadence = cadence_for(SONIC, "https://api.aimusicapi.ai")
    assert len({round(cadence.delay(5), 6) for _ in range(20)}) > 10


def test_errors_back_off_with_a_ceiling_and_retry_after_wins():
    cadence = cadence_for(SONIC, "https://api.aimusicapi.ai")
    rng = random.Random(2)
    backoff = [cadence.delay(3, errors=e, rng=rng) for e in range(1, 10)]
    assert backoff[1] > backoff[0] and max(backoff) <= cadence.error_ceiling * 1.15
    assert cadence.delay(3, retry_after=90, rng=rng) >= 90
    assert cadence.delay(3, retry_after=10**6, rng=rng) <= MAX_RETRY_AFTER
    fixed = cadence_for(SONIC, "http://127.0.0.1:1", interval=0.05)
    assert fixed.delay(1, errors=2) == 0.2 and fixed.delay(1, errors=9) == 0.4
    assert fixed.delay(1, retry_after=0.3) == 0.3
