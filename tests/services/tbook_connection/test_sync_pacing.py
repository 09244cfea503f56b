"""The run's shared pause: a 429 holds back every request of the run until its Retry-After has passed."""

from __future__ import annotations

import httpx

from app.services.tbook_connection.sync_pacing import FIRST_PAUSE, PausingTransport, SharedPause


class Clock:
    """A monotonic clock that only moves when the pause sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_429_pauses_every_later_request_for_its_retry_after():
    clock = Clock()
    pause = SharedPause(clock, clock.sleep)
    answers = iter([httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200), httpx.Response(200)])
    transport = PausingTransport(pause, httpx.MockTransport(lambda request: next(answers)))
    with httpx.Client(transport=transport, base_url="http://tbook.test") as http:
        assert http.get("/a").status_code == 429
        clock.now += 1.0  # another worker comes one second later: it waits the two seconds left
        assert http.get("/b").status_code == 200
        assert http.get("/c").status_code == 200
    assert clock.slept == [2.0] and pause.pauses == 1


def test_without_retry_after_the_pause_doubles_until_an_answer_comes():
    clock = Clock()
    pause = SharedPause(clock, clock.sleep)
    assert [pause.rate_limited(None) for _ in range(3)] == [FIRST_PAUSE, FIRST_PAUSE * 2, FIRST_PAUSE * 4]
    pause.answered()
    assert pause.rate_limited(None) == FIRST_PAUSE
    assert pause.rate_limited(7) == 7


def test_a_shorter_retry_after_never_shortens_a_pause_in_force():
    clock = Clock()
    pause = SharedPause(clock, clock.sleep)
    pause.rate_limited(5)
    pause.rate_limited(1)
    pause.wait()
    assert clock.slept == [5.0]
