"""Sign-in throttling: after too many failures for one user name or one address, wait.

Kept in memory per server process (one process serves a deployment by default); the
window is short, so a restart losing it costs little.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class SignInThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS, clock=time.monotonic):  # noqa: ANN001
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def wait_seconds(self, *keys: str) -> int:
        """0 when a sign-in may be tried now, else how many seconds to wait."""
        now = self.clock()
        with self._lock:
            waits = [q[0] + self.window - now for k in keys if len(q := self._recent(k, now)) >= self.max_failures]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)
