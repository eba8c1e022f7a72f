"""The job runner on its own: supersession, stale results, progress, errors, wait() and kernel interrupts."""

import os
import signal
import threading
import time

import pytest
from ipykernel.kernelbase import Kernel

from embedwidgets.widgets.cluster.interrupts import INTERRUPTS
from embedwidgets.widgets.cluster.jobs import JobRunner, JobStopped, Stopped, Superseded


class Recorder:
    """Collects what a runner tells its widget."""

    def __init__(self):
        self.progress, self.errors, self.applied = [], [], []
        self.failed = threading.Event()

    def error(self, error):
        self.errors.append(error)
        self.failed.set()

    def runner(self, **options):
        return JobRunner(on_progress=self.progress.append, on_error=self.error, name="ew-test", **options)


def blocked(gate, value, reached=None):
    """Work that waits for ``gate`` and then returns ``value``, reporting progress before and after."""

    def work(progress):
        progress(0.1, "waiting")
        if reached is not None:
            reached.set()
        assert gate.wait(10)
        progress(0.9, "done waiting")  # a stale job stops here
        return value

    return work


def test_inline_jobs_apply_their_result_before_start_returns():
    seen = Recorder()
    runner = seen.runner(background=False)
    job = runner.start("double", lambda progress: 21 * 2, seen.applied.append, "doubling")
    assert job == 1 and seen.applied == [42]
    assert seen.progress[0] == {"kind": "double", "fraction": 0.0, "message": "doubling", "jobs": 1}
    assert seen.progress[-1] is None and runner.running() == []


def test_a_newer_job_supersedes_an_older_one_of_the_same_kind():
    seen = Recorder()
    runner = seen.runner()
    old_gate, reached = threading.Event(), threading.Event()
    runner.start("layout", blocked(old_gate, "old", reached), seen.applied.append, "old layout")
    assert reached.wait(10)
    runner.start("layout", lambda progress: "new", seen.applied.append, "new layout")
    runner.wait()  # waits for the new job only: the old one is still blocked
    assert seen.applied == ["new"]
    old = [t for t in threading.enumerate() if t.name == "ew-test-layout-1"]
    old_gate.set()
    for thread in old:
        thread.join(10)
    assert seen.applied == ["new"] and seen.errors == []  # the old job stopped at its next progress report


def test_a_stale_result_is_dropped_even_without_progress_reports():
    seen = Recorder()
    runner = seen.runner()
    gate, started = threading.Event(), threading.Event()

    def silent(progress):
        started.set()
        assert gate.wait(10)
        return "stale"

    runner.start("layout", silent, seen.applied.append, "slow")
    assert started.wait(10)
    runner.start("layout", lambda progress: "fresh", seen.applied.append, "fast")
    runner.wait()
    gate.set()
    for thread in [t for t in threading.enumerate() if t.name == "ew-test-layout-1"]:
        thread.join(10)
    assert seen.applied == ["fresh"]


def test_jobs_of_other_kinds_run_side_by_side():
    seen = Recorder()
    runner = seen.runner()
    gate = threading.Event()
    runner.start("layout", blocked(gate, "layout"), seen.applied.append, "layout")
    runner.start("colors", lambda progress: "colors", seen.applied.append, "colours")
    runner.wait(["colors"])
    assert seen.applied == ["colors"] and runner.running() == ["layout"]
    gate.set()
    runner.wait(timeout=10)
    assert sorted(seen.applied) == ["colors", "layout"] and runner.running() == []


def test_supersede_without_a_new_job_drops_the_result_and_the_progress():
    seen = Recorder()
    runner = seen.runner()
    gate, reached = threading.Event(), threading.Event()
    runner.start("colors", blocked(gate, "late", reached), seen.applied.append, "scores")
    assert reached.wait(10)
    runner.supersede("colors")
    assert seen.progress[-1] is None and runner.running() == []
    gate.set()
    runner.wait(timeout=10)
    time.sleep(0.05)
    assert seen.applied == []


def test_progress_never_waits_for_a_busy_widget_and_a_stale_job_still_stops():
    """A job reports progress from inside other locks (the cache entry it builds), while the thread holding the
    widget's lock may be waiting for that very entry: a report that waited for the lock would hang both. So a
    report made while the lock is busy returns at once, and a stale job's report still stops it."""
    seen = Recorder()
    runner = seen.runner(interval=0)
    report, reported, stale = threading.Event(), threading.Event(), threading.Event()

    def work(progress):
        assert report.wait(10)
        progress(0.5, "while the widget is busy")
        reported.set()
        assert stale.wait(10)
        progress(0.9, "after a newer job started")  # raises Superseded
        return "stale"

    runner.start("layout", work, seen.applied.append, "layout")
    job = next(t for t in threading.enumerate() if t.name == "ew-test-layout-1")
    with runner.lock:  # what the widget holds while it applies a result or publishes a change
        report.set()
        assert reported.wait(10), "the progress report waited for the widget's lock"
        runner.supersede("layout")
        stale.set()
        job.join(10)
        assert not job.is_alive(), "the stale job did not stop while the widget's lock was held"
    assert seen.applied == [] and seen.errors == []
    assert all(state is None or state["message"] != "while the widget is busy" for state in seen.progress)


def test_progress_names_the_newest_running_job_and_is_throttled():
    seen = Recorder()
    runner = seen.runner(background=False, interval=60)

    def work(progress):
        for step in range(100):
            progress(step / 100, f"step {step}")
        return "done"

    runner.start("cluster", work, seen.applied.append, "starting")
    # The start and the end always publish; within the interval the hundred reports do not.
    assert seen.progress == [{"kind": "cluster", "fraction": 0.0, "message": "starting", "jobs": 1}, None]
    eager = Recorder()
    runner = eager.runner(background=False, interval=0)
    runner.start("cluster", work, eager.applied.append, "starting")
    messages = [p["message"] for p in eager.progress if p]
    assert messages[-1] == "step 99" and len(messages) == 101


def test_a_failure_reaches_the_caller_and_is_kept_until_the_next_job():
    seen = Recorder()
    runner = seen.runner()

    def broken(progress):
        raise ValueError("no such projection")

    runner.start("layout", broken, seen.applied.append, "broken")
    runner.wait(timeout=10)
    assert isinstance(runner.failure("layout"), ValueError) and [str(e) for e in seen.errors] == ["no such projection"]
    assert seen.progress[-1] is None and seen.applied == []
    runner.start("layout", lambda progress: "fine", seen.applied.append, "again")
    runner.wait(timeout=10)
    assert runner.failure("layout") is None and seen.applied == ["fine"]


def test_a_failing_apply_is_reported_too():
    seen = Recorder()
    runner = seen.runner(background=False)

    def apply(result):
        raise RuntimeError("cannot draw")

    runner.start("layout", lambda progress: 1, apply, "layout")
    assert str(runner.failure("layout")) == "cannot draw" and len(seen.errors) == 1
    assert seen.progress[-1] is None


def test_a_stale_failure_is_not_reported():
    seen = Recorder()
    runner = seen.runner()
    gate, started = threading.Event(), threading.Event()

    def fails_late(progress):
        started.set()
        assert gate.wait(10)
        raise ValueError("too late to matter")

    runner.start("layout", fails_late, seen.applied.append, "old")
    assert started.wait(10)
    runner.start("layout", lambda progress: "new", seen.applied.append, "new")
    runner.wait()
    gate.set()
    for thread in [t for t in threading.enumerate() if t.name == "ew-test-layout-1"]:
        thread.join(10)
    assert seen.errors == [] and runner.failure("layout") is None and seen.applied == ["new"]


def test_wait_times_out_and_says_so():
    runner = JobRunner()
    gate = threading.Event()
    runner.start("layout", lambda progress: gate.wait(10), lambda result: None, "slow")
    with pytest.raises(TimeoutError, match="did not finish in 0.05 s"):
        runner.wait(timeout=0.05)
    gate.set()
    runner.wait(timeout=10)


def test_progress_raises_superseded_in_a_stale_job():
    runner = JobRunner(background=False)
    captured = []
    runner.start("layout", lambda progress: captured.append(progress), lambda result: None, "first")
    runner.start("layout", lambda progress: None, lambda result: None, "second")
    with pytest.raises(Superseded):
        captured[0](0.5, "too late")


def test_a_keyed_job_runs_once_per_key():
    seen = Recorder()
    runner = seen.runner()
    gate, reached = threading.Event(), threading.Event()
    assert runner.start("cluster", lambda progress: "k=4", seen.applied.append, "k=4", key=4) is not None
    runner.wait()
    assert runner.start("cluster", lambda progress: "again", seen.applied.append, "k=4", key=4) is None  # shown
    assert runner.start("cluster", blocked(gate, "k=5", reached), seen.applied.append, "k=5", key=5) is not None
    assert reached.wait(10)
    assert runner.start("cluster", blocked(gate, "twice"), seen.applied.append, "k=5", key=5) is None  # running
    assert runner.start("cluster", lambda progress: "back", seen.applied.append, "k=4", key=4) is None
    assert runner.running() == []  # going back to k=4 dropped the k=5 job
    gate.set()
    time.sleep(0.05)
    runner.wait(timeout=10)
    assert seen.applied == ["k=4"]


def test_a_failed_keyed_job_may_be_asked_for_again():
    seen = Recorder()
    runner = seen.runner(background=False)
    attempts = []

    def flaky(progress):
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("first try fails")
        return "second try"

    runner.start("cluster", flaky, seen.applied.append, "try", key="k")
    assert runner.failure("cluster") is not None
    runner.start("cluster", flaky, seen.applied.append, "try", key="k")
    assert seen.applied == ["second try"] and len(attempts) == 2


# ---- kernel interrupts (SIGINT) -----------------------------------------------------------------------


@pytest.fixture
def sigint():
    """Restores SIGINT's handler after the test, whatever the test installed."""
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)


class FakeKernel:
    """ipykernel's own handler hooks around each message: default_int_handler while it runs, then the handler
    it found (SIG_IGN when the kernel is idle) put back."""

    pre_handler_hook = Kernel.pre_handler_hook
    post_handler_hook = Kernel.post_handler_hook


def blocked_job(seen, runner, gate, message="waiting"):
    reached = threading.Event()
    runner.start("layout", blocked(gate, "stale", reached), seen.applied.append, message)
    assert reached.wait(10)


def assert_stopped(seen, runner):
    assert seen.failed.wait(10), "the interrupt did not stop the job"
    assert runner.running() == [] and seen.progress[-1] is None  # no spinner left
    assert isinstance(seen.errors[-1], JobStopped)
    assert str(seen.errors[-1]) == "Stopped: the kernel was interrupted (waiting). Start it again."
    assert runner.stopped() == ["layout"] and runner.failure("layout") is seen.errors[-1]


def test_an_interrupt_of_an_idle_kernel_stops_the_job_and_raises_nothing(sigint):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what ipykernel installs while idle
    seen, gate = Recorder(), threading.Event()
    runner = seen.runner()
    blocked_job(seen, runner, gate)
    os.kill(os.getpid(), signal.SIGINT)  # Kernel -> Interrupt; the handler runs here, in the main thread
    assert_stopped(seen, runner)
    stale = [t for t in threading.enumerate() if t.name == "ew-test-layout-1"]
    gate.set()
    for thread in stale:
        thread.join(10)
    assert seen.applied == []  # the stopped job's result is dropped
    runner.start("layout", lambda progress: "again", seen.applied.append, "again")
    runner.wait(timeout=10)
    assert seen.applied == ["again"] and runner.stopped() == []
    INTERRUPTS.settle()
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # no job runs: the idle handler is back


def test_an_interrupt_of_a_busy_cell_stops_the_job_and_the_cell(sigint):
    signal.signal(signal.SIGINT, signal.default_int_handler)  # what ipykernel installs while a cell runs
    seen, gate = Recorder(), threading.Event()
    runner = seen.runner()
    blocked_job(seen, runner, gate)
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
    assert_stopped(seen, runner)
    gate.set()


def test_a_job_started_in_a_cell_is_still_stopped_once_the_kernel_is_idle(sigint):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    kernel = FakeKernel()
    INTERRUPTS.hook(kernel)
    seen, gate = Recorder(), threading.Event()
    runner = seen.runner()
    kernel.pre_handler_hook()  # a cell starts...
    blocked_job(seen, runner, gate)  # ...starts a job...
    kernel.post_handler_hook()  # ...and ends: ipykernel puts SIG_IGN back, the watch goes in front of it again
    assert getattr(signal.getsignal(signal.SIGINT), "previous", None) is signal.SIG_IGN
    kernel.pre_handler_hook()  # another message while the job runs: the watch stays in front
    assert getattr(signal.getsignal(signal.SIGINT), "previous", None) is signal.default_int_handler
    kernel.post_handler_hook()
    os.kill(os.getpid(), signal.SIGINT)  # idle: no KeyboardInterrupt, but the job stops
    assert_stopped(seen, runner)
    gate.set()
    kernel.pre_handler_hook()
    kernel.post_handler_hook()
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # nothing runs: the kernel's own handler alone


def test_a_stopped_job_raises_stopped_at_its_next_progress_report():
    seen = Recorder()
    runner = seen.runner()
    captured = []
    runner.start("layout", lambda progress: captured.append(progress), lambda result: None, "first")
    runner.start("color", lambda progress: time.sleep(0.5), lambda result: None, "colours")
    assert sorted(runner.stop()) == ["color"]  # the first job had finished already
    assert runner.stop() == []
    runner.start("layout", blocked(threading.Event(), None), seen.applied.append, "second")
    runner.stop()
    progress_of_stopped = captured[0]
    with pytest.raises(Superseded):
        progress_of_stopped(0.5, "a finished job is only stale")
    assert runner.stopped() == ["color", "layout"] or sorted(runner.stopped()) == ["color", "layout"]


def test_an_inline_job_interrupted_in_the_main_thread_is_stopped():
    seen = Recorder()
    runner = seen.runner(background=False)

    def interrupted(progress):
        progress(0.5, "half way")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.start("layout", interrupted, seen.applied.append, "inline")
    assert runner.running() == [] and seen.progress[-1] is None and runner.stopped() == ["layout"]
    with pytest.raises(Stopped):
        raise Stopped()
