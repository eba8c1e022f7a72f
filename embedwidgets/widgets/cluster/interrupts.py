"""Kernel interrupts reach the background jobs.

Kernel → Interrupt sends SIGINT to the kernel, and Python runs signal handlers in the main thread only: a job in
a thread never sees it. ipykernel also changes the handler around each message it handles
(``pre_handler_hook`` installs ``default_int_handler``, ``post_handler_hook`` puts back the handler it found,
which is ``SIG_IGN`` while the kernel is idle), so a handler installed while a cell runs is gone when it ends.

While a job runs, :class:`InterruptWatch` keeps a handler of its own in front of the one it displaced: it tells
the job runners, then does what the displaced handler would have done (raise ``KeyboardInterrupt`` in a busy
cell, nothing when idle). Each installation is a new :class:`_Handler` that remembers the handler it displaced,
so ipykernel's save-and-restore of handlers keeps each level right. Signal handlers can only be set from the main
thread, so the watch settles there: when a job starts in the main thread, and after each of ipykernel's hooks.
Once no job runs, the next settling puts the displaced handler back.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger("embedwidgets")


class Interruptible(Protocol):
    """What the watch needs of a job runner."""

    def has_running(self) -> bool:
        """Whether a job runs now (no lock may be taken: the watch asks from the main thread's hooks)."""
        ...

    def interrupt(self) -> None:
        """Stop the running jobs; called from the signal handler, so it must not block."""
        ...


class _Handler:
    """Our SIGINT handler at one level of the kernel's handler stack: tell the runners, then do as ``previous``."""

    def __init__(self, watch: InterruptWatch, previous: Any) -> None:
        self.watch, self.previous = watch, previous

    def __call__(self, signum: int, frame: Any) -> None:
        self.watch.notify()
        previous = self.previous
        if callable(previous):
            previous(signum, frame)  # default_int_handler raises KeyboardInterrupt: the cell stops as before
        elif previous == signal.SIG_DFL:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.raise_signal(signal.SIGINT)
        # SIG_IGN or None (not set from Python): nothing more, as before


class InterruptWatch:
    """Routes SIGINT to the job runners that have jobs running; one per process (:data:`INTERRUPTS`)."""

    def __init__(self) -> None:
        # Replaced whole on each change, never changed in place: the signal handler reads it without a lock.
        self._runners: tuple[weakref.ref[Interruptible], ...] = ()
        self._lock = threading.Lock()  # between the threads that arm the watch
        self._hooked: weakref.WeakSet[Any] = weakref.WeakSet()  # kernels whose hooks settle the watch

    def arm(self, runner: Interruptible) -> None:
        """A job of ``runner`` starts: from now on an interrupt stops it."""
        with self._lock:
            others = tuple(ref for ref in self._runners if ref() not in (None, runner))
            self._runners = (*others, weakref.ref(runner))
        self.hook(running_kernel())
        self.settle()

    def notify(self) -> None:
        """An interrupt came: stop every runner's running jobs (non-blocking; from the signal handler)."""
        for runner in self._alive():
            try:
                runner.interrupt()
            except Exception:  # one broken runner must not keep the others running, nor hide the interrupt
                log.exception("embedwidgets could not stop a background job on interrupt")

    def busy(self) -> bool:
        return any(runner.has_running() for runner in self._alive())

    def _alive(self) -> list[Interruptible]:
        return [runner for runner in (ref() for ref in self._runners) if runner is not None]

    def settle(self) -> None:
        """In the main thread: our handler in front while a job runs, the displaced one back once none does."""
        if threading.current_thread() is not threading.main_thread():
            return  # signals can only be set from the main thread; the next hook there settles
        current = signal.getsignal(signal.SIGINT)
        ours = isinstance(current, _Handler) and current.watch is self
        try:
            if self.busy() and not ours:
                signal.signal(signal.SIGINT, _Handler(self, current))
            elif ours and not self.busy():
                signal.signal(signal.SIGINT, current.previous)  # type: ignore[union-attr]
        except (ValueError, OSError, TypeError):  # an embedded interpreter without signals: jobs just run on
            log.debug("embedwidgets could not set the SIGINT handler", exc_info=True)

    def hook(self, kernel: Any) -> None:
        """Settle after ipykernel's ``pre_handler_hook`` and ``post_handler_hook``, which reset SIGINT's handler
        around every message; a kernel is hooked once."""
        if kernel is None or kernel in self._hooked:
            return
        if not (callable(getattr(kernel, "pre_handler_hook", None)) and callable(kernel.post_handler_hook)):
            return
        self._hooked.add(kernel)
        kernel.pre_handler_hook = self._after(kernel.pre_handler_hook)
        kernel.post_handler_hook = self._after(kernel.post_handler_hook)

    def _after(self, hook: Callable[[], None]) -> Callable[[], None]:
        def settled_hook() -> None:
            hook()
            self.settle()

        return settled_hook


def running_kernel() -> Any:
    """The ipykernel kernel this process runs, if any (without importing ipykernel where it is not in use)."""
    kernelbase = sys.modules.get("ipykernel.kernelbase")
    kernel_class = getattr(kernelbase, "Kernel", None)
    if kernel_class is None or not kernel_class.initialized():
        return None
    return kernel_class.instance()


INTERRUPTS = InterruptWatch()
