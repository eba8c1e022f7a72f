"""Background jobs for a widget: one running job per kind, the newest wins.

A widget starts a job of some kind ("project", "cluster", ...) with a piece of work and a function that applies
its result. Starting another job of the same kind makes the older one stale: its next progress report stops it
(``Superseded``), and if it finishes anyway its result is dropped. Progress of the running jobs reaches the
widget as one small dict, at most every ``interval`` seconds; a failure reaches it through ``on_error`` and
stays readable with :meth:`JobRunner.failure` until the next job of that kind starts (or is superseded).

A job may carry a ``key`` naming what it computes (e.g. ``("kmeans", 8)``): a job whose key is already running
or already applied does not start again.

An interrupt of the kernel (Kernel → Interrupt, SIGINT) stops every running job (``interrupts.py``): its next
progress report raises ``Stopped``, its result is dropped, and its failure is a :class:`JobStopped` that says
how to run it again.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ...engine.errors import EmbedWidgetsError
from .interrupts import INTERRUPTS

log = logging.getLogger("embedwidgets")

Progress = Callable[[float, str], None]
# Failures a user can fix (bad input, a missing package): shown inline only, without a traceback in the log.
EXPECTED_ERRORS = (EmbedWidgetsError, KeyError, ValueError, TypeError, ImportError)


class Superseded(Exception):
    """Raised inside a job's progress callback once a newer job of the same kind has started."""


class Stopped(Exception):
    """Raised inside a job's progress callback once an interrupt of the kernel stopped the job."""


class JobStopped(EmbedWidgetsError):
    """The failure of a job that an interrupt of the kernel stopped (shown inline, like any failure)."""


class JobRunner:
    """Runs jobs in daemon threads (or inline when ``background`` is False) and drops stale results.

    >>> runner = JobRunner(background=False)
    >>> runner.start("double", lambda progress: 21 * 2, print, "doubling")
    42
    1

    ``on_progress`` receives ``{"kind", "fraction", "message", "jobs"}`` for the newest running job, or None
    when nothing runs; ``on_error`` receives a job's failure. ``lock`` is held while results are applied and
    progress is published, so a widget that shares it never sees two updates interleave.
    """

    def __init__(
        self,
        *,
        background: bool = True,
        on_progress: Callable[[dict | None], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        lock: threading.RLock | None = None,
        name: str = "ew-job",
        interval: float = 0.1,
        rerun_hint: str = "Start it again",
    ) -> None:
        self.background = background
        self.lock = lock if lock is not None else threading.RLock()
        self._on_progress = on_progress or (lambda state: None)
        self._on_error = on_error or (lambda error: None)
        self._name = name
        self._interval = interval
        self._ids = itertools.count(1)
        self._current: dict[str, int] = {}  # kind -> id of the job whose result counts
        self._threads: dict[str, threading.Thread] = {}
        self._running: dict[str, tuple[float, str]] = {}  # kind -> (fraction, message), in start order
        self._failures: dict[str, BaseException] = {}
        self._applied_key: dict[str, Any] = {}  # kind -> key of the result applied last
        self._pending_key: dict[str, Any] = {}  # kind -> key of the current job, while it runs
        self._last_published = 0.0
        self._stopped: set[int] = set()  # ids of the jobs an interrupt stopped, until their thread ends
        self._rerun_hint = rerun_hint

    def start(
        self,
        kind: str,
        work: Callable[[Progress], Any],
        apply: Callable[[Any], None],
        message: str,
        *,
        key: Any = None,
    ) -> int | None:
        """Run ``work(progress)`` and then ``apply(result)``, unless a newer job of ``kind`` started meanwhile.

        ``progress(fraction, text)`` raises :class:`Superseded` in a stale job, so long work stops early. It
        never waits: a report made while ``lock`` is held elsewhere is dropped.
        Returns the job's id, or None when ``key`` says the work is running or its result is shown already
        (going back to the shown key drops the job running for another one).
        """
        with self.lock:
            if key is not None:
                if key == self._pending_key.get(kind):
                    return None
                if key == self._applied_key.get(kind):
                    if self._pending_key.get(kind) is not None:
                        self.supersede(kind)
                    return None
                self._pending_key[kind] = key
            job = next(self._ids)
            self._current[kind] = job
            self._failures.pop(kind, None)
            self._running[kind] = (0.0, message)
            self._publish(force=True)
        INTERRUPTS.arm(self)

        def stop_if_stale() -> None:
            if self._current.get(kind) != job:
                raise Stopped() if job in self._stopped else Superseded()

        def progress(fraction: float, text: str) -> None:
            # Never waits: a job reports from inside other locks (a cache entry it builds), and a thread that
            # holds the widget's lock may be waiting for that entry. A report made while the lock is busy is
            # dropped (the next one shows); a stale job still stops, as reading ``_current`` needs no lock.
            stop_if_stale()
            if not self.lock.acquire(blocking=False):
                return
            try:
                stop_if_stale()  # a newer job may have started before the lock was ours
                self._running[kind] = (float(fraction), str(text))
                self._publish()
            finally:
                self.lock.release()

        def run() -> None:
            try:
                result = work(progress)
            except (Superseded, Stopped):
                self._stopped.discard(job)
                return
            except KeyboardInterrupt:  # an inline job in the main thread: the cell stops, and so does the job
                self.stop()
                raise
            except Exception as error:  # shown inline; the kernel and the widget stay alive
                with self.lock:
                    if self._current.get(kind) == job:
                        self._pending_key.pop(kind, None)  # a failed job may be asked for again
                        if not isinstance(error, EXPECTED_ERRORS):
                            log.exception("embedwidgets %s job %r failed", self._name, kind)
                        self._fail(kind, error)
                return
            with self.lock:
                if self._current.get(kind) != job:
                    self._stopped.discard(job)
                    return  # superseded or stopped while it ran: drop the stale result
                if key is not None:
                    self._applied_key[kind] = key
                    self._pending_key.pop(kind, None)
                try:
                    apply(result)
                except Exception as error:
                    log.exception("embedwidgets %s could not apply a %r result", self._name, kind)
                    self._fail(kind, error)
                else:
                    self._done(kind)

        if self.background:
            thread = threading.Thread(target=run, name=f"{self._name}-{kind}-{job}", daemon=True)
            with self.lock:
                self._threads[kind] = thread  # a superseded job's thread may run on, but nobody waits for it
            thread.start()
        else:
            run()
        return job

    def supersede(self, kind: str) -> None:
        """Make any running job of ``kind`` stale, without starting a new one; its failure is forgotten too."""
        with self.lock:
            if kind in self._current:
                self._current[kind] = next(self._ids)
            self._failures.pop(kind, None)
            self._pending_key.pop(kind, None)
            self._threads.pop(kind, None)
            self._done(kind)

    def has_running(self) -> bool:
        """Whether a job runs now; takes no lock, for the interrupt watch."""
        return bool(self._running)

    def interrupt(self) -> None:
        """Stop every running job, as an interrupt of the kernel does. Safe in a signal handler: the stopping
        (which takes the lock) happens in a short thread of its own."""
        if self._running:
            threading.Thread(target=self.stop, name=f"{self._name}-interrupt", daemon=True).start()

    def stop(self) -> list[str]:
        """Stop every running job now: each one's next progress report raises :class:`Stopped`, its result is
        dropped, and its failure is a :class:`JobStopped` (reported through ``on_error``). Returns the kinds."""
        with self.lock:
            kinds = list(self._running)
            if not kinds:
                return kinds
            what = "; ".join(message for _, message in self._running.values())
            for kind in kinds:
                self._stopped.add(self._current[kind])
                self._current[kind] = next(self._ids)
                self._pending_key.pop(kind, None)  # the same work may be asked for again
                self._threads.pop(kind, None)  # nobody waits for a stopped job
                self._running.pop(kind)
            error = JobStopped(f"Stopped: the kernel was interrupted ({what}). {self._rerun_hint}.")
            for kind in kinds:
                self._failures[kind] = error
            self._publish(force=True)
            self._on_error(error)
        return kinds

    def failure(self, kind: str) -> BaseException | None:
        """The error of the latest job of ``kind``, if it failed."""
        return self._failures.get(kind)

    def running(self) -> list[str]:
        """The kinds whose current job has not finished."""
        with self.lock:
            return list(self._running)

    def wait(self, kinds: Iterable[str] | None = None, timeout: float | None = None) -> None:
        """Block until the current jobs of ``kinds`` (all kinds by default) are done; stale ones are not
        waited for. Raises ``TimeoutError`` after ``timeout`` seconds."""
        wanted = None if kinds is None else set(kinds)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self.lock:
                alive = [
                    thread
                    for kind, thread in self._threads.items()
                    if (wanted is None or kind in wanted)
                    and thread.is_alive()
                    and thread is not threading.current_thread()
                ]
            if not alive:
                return
            for thread in alive:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                thread.join(left)
                if deadline is not None and time.monotonic() >= deadline and thread.is_alive():
                    raise TimeoutError(f"the background work did not finish in {timeout} s.")

    def stopped(self) -> list[str]:
        """The kinds whose latest job an interrupt stopped (until one of that kind starts again)."""
        with self.lock:
            return [kind for kind, error in self._failures.items() if isinstance(error, JobStopped)]

    def _fail(self, kind: str, error: BaseException) -> None:
        self._failures[kind] = error
        self._done(kind)
        self._on_error(error)

    def _done(self, kind: str) -> None:
        self._running.pop(kind, None)
        self._publish(force=True)

    def _publish(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_published < self._interval:
            return  # a progress bar needs no more than a few updates a second
        self._last_published = now
        if not self._running:
            self._on_progress(None)
            return
        kind, (fraction, message) = next(reversed(self._running.items()))
        self._on_progress(
            {"kind": kind, "fraction": max(0.0, min(1.0, fraction)), "message": message, "jobs": len(self._running)}
        )
