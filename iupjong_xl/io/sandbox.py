"""Run per-file work in worker processes under a memory cap and a time limit; a worker that dies costs one file.

Why: the reading library is native code.  A damaged file can make it abort the whole process (e.g. a compound file
whose sector chain loops asks for 4 GiB, 8 GiB, ... and aborts with "memory allocation of ... failed"), panic with
text on stderr, or run for a very long time.  No ``except`` catches an abort, so every file is read in a worker:

* each worker caps its own address space (POSIX ``RLIMIT_AS``: what the worker had at start plus
  ``Limits.memory_mb``) and is killed by the parent when one file takes longer than ``Limits.seconds``;
* file descriptors 1 and 2 of a worker go to a private temporary file, so native panic text never reaches the
  terminal (the JSON on stdout stays clean too); the text of a failed file is returned in its Outcome;
* a worker that dies or is killed is replaced and the batch goes on; its file gets an Outcome with
  ``code`` FILE_TOO_COMPLEX (a limit was hit) or FILE_READ_CRASHED (anything else);
* results come back in job order, whatever the number of workers;
* a worker ends with the process that started it, however that ends (killed with SIGKILL included): a
  parent-death signal on Linux, a watchdog on the parent's pid, and EOF on the pipe the parent alone holds;
* idle workers are kept for the next call with the same function, limits and initializer (a process that
  validates many batches, like the Excel add-in or a test run, forks once), and retired after
  MAX_JOBS_PER_WORKER files.

On Linux workers are forked (cheap: a few milliseconds, the parent's loaded modules are shared); elsewhere they
are spawned and ``initializer(*initargs)`` prepares them (IUPJONG_START_METHOD=spawn does the same on Linux).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["CRASHED", "INTERNAL", "TOO_COMPLEX", "Limits", "Outcome", "run_isolated", "shutdown"]

CRASHED = "FILE_READ_CRASHED"
TOO_COMPLEX = "FILE_TOO_COMPLEX"
INTERNAL = "FILE_INTERNAL_ERROR"

PARENT_CHECK_SECONDS = 1.0  # how often an idle worker checks that its parent lives
_NATIVE_MAX = 16_000  # characters of captured stderr kept per file
_MEMORY_SIGNS = ("memory allocation of", "MemoryError", "Cannot allocate memory", "out of memory",
                 "std::bad_alloc", "capacity overflow",
                 "handle_alloc_error")  # Rust's abort on a failed allocation, as a backtrace names it


@dataclass(frozen=True)
class Limits:
    """Per-file limits of a worker: extra address space in MiB (0 = none) and wall-clock seconds (0 = none)."""

    memory_mb: int = 1024
    seconds: float = 60.0


@dataclass
class Outcome:
    """What became of one job: ``value`` when ok, else ``code`` (CRASHED, TOO_COMPLEX or INTERNAL) and a short
    English ``detail``; ``native`` is what the worker wrote to stdout/stderr while on this job (panic text)."""

    ok: bool
    value: Any = None
    code: str | None = None
    detail: str = ""
    native: str = ""


START_METHOD_ENV = "IUPJONG_START_METHOD"  # "fork", "spawn" or "forkserver"; default: fork on Linux, else spawn


def _context() -> Any:
    """How workers start: IUPJONG_START_METHOD when this platform has it (tests run spawned workers on Linux the
    way Windows and macOS start them), else fork on Linux and spawn elsewhere."""
    method = os.environ.get(START_METHOD_ENV, "")
    if method not in multiprocessing.get_all_start_methods():
        method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _vm_bytes() -> int:
    """The address space this process uses now (Linux /proc; 0 when unknown)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def _cap_memory(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    try:
        import resource
    except ImportError:  # not POSIX: the time limit still holds
        return
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = _vm_bytes() + memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def _read_native(fd: int) -> str:
    """What the worker wrote to its stderr: the beginning and the end when it is long. The beginning matters: a
    reader that runs out of memory says so first ("memory allocation of … bytes failed") and may then print a long
    backtrace (RUST_BACKTRACE set in the environment) that would push that line out of a tail alone."""
    half = _NATIVE_MAX // 2
    try:
        size = os.lseek(fd, 0, os.SEEK_END)
        os.lseek(fd, 0, os.SEEK_SET)
        if size <= _NATIVE_MAX * 4:
            text = os.read(fd, size).decode("utf-8", "replace")
            if len(text) <= _NATIVE_MAX:
                return text
            head, tail = text[:half], text[-half:]
        else:
            head = os.read(fd, half * 4).decode("utf-8", "replace")[:half]
            os.lseek(fd, size - half * 4, os.SEEK_SET)
            tail = os.read(fd, half * 4).decode("utf-8", "replace")[-half:]
    except OSError:
        return ""
    return f"{head}\n…\n{tail}"


# The parent's ends of the workers' pipes: a forked worker closes its copies, so that the parent's end of its own
# pipe (and of its siblings') is held by the parent alone, and a parent that dies is an EOF to every worker.
_PARENT_ENDS: weakref.WeakSet[Any] = weakref.WeakSet()
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 0.5  # how often a worker checks that the process that started it is still there


def _die_with_parent(parent: int | None, deathsig: bool) -> None:
    """End this worker with the run that started it, however that run ends (even killed with SIGKILL, when no
    cleanup of its own runs): on Linux the kernel sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG, set
    only when the worker was started from the parent's main thread: the signal follows the thread that forked);
    everywhere, a watchdog thread ends the worker when its parent process is gone (the worker is re-parented)."""
    for end in list(_PARENT_ENDS):  # forked copies of the parent's pipe ends: the parent's alone now
        with contextlib.suppress(OSError):
            end.close()
    if parent is None:
        return
    if deathsig and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="iupjong-parent-watch", daemon=True).start()


def _worker(conn: Any, fn: Callable[[Any], Any], memory_mb: int, err_path: str,
            initializer: Callable[..., object] | None, initargs: tuple[Any, ...], parent: int | None = None,
            deathsig: bool = False) -> None:
    """The worker loop: receive (slot, job, cwd), send (slot, kind, value, native) until None or EOF (the parent
    closed its end, or died)."""
    _die_with_parent(parent, deathsig)
    with contextlib.suppress(AttributeError, ValueError, OSError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    fd = os.open(err_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    # Python-level writers too (they may have been replaced, e.g. by a test runner), and no fault handler that
    # writes to a descriptor of the parent's
    sys.stdout = sys.stderr = open(fd, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    with contextlib.suppress(Exception):
        import faulthandler

        faulthandler.disable()
    if initializer is not None:
        initializer(*initargs)
    base = _vm_bytes()
    _cap_memory(memory_mb)
    parent = os.getppid()
    while True:
        try:
            # a forked worker holds copies of the parent's pipe ends (its own and earlier workers'), so it would
            # never see EOF if the parent died (kill -9 of a server): it would live on with the parent's inherited
            # sockets open. It checks every second that its parent is still the same process and ends if not.
            while not conn.poll(PARENT_CHECK_SECONDS):
                if os.getppid() != parent:
                    return
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        slot, job, cwd = msg
        if cwd != os.getcwd():  # a kept worker follows the caller's working directory (relative paths)
            os.chdir(cwd)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            reply = (slot, "ok", fn(job))
        except MemoryError:
            reply = (slot, "memory", None)
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            reply = (slot, "error", "".join(traceback.format_exception_only(type(exc), exc)).strip()
                     + "\n" + "".join(traceback.format_tb(exc.__traceback__))[-4000:])
        sys.stdout.flush()
        sys.stderr.flush()
        # a worker whose address space grew by a quarter of the cap retires: the next file gets the whole cap
        retire = memory_mb > 0 and base > 0 and _vm_bytes() - base > memory_mb * 1024 * 1024 // 4
        try:
            conn.send((*reply, _read_native(fd) if reply[1] != "ok" else "", retire))
        except MemoryError:
            conn.send((slot, "memory", None, "", True))
        if retire:
            return


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any], limits: Limits,
                 initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
        handle, self.err_path = tempfile.mkstemp(prefix="iupjong-worker-", suffix=".log")
        os.close(handle)
        self.conn, child = ctx.Pipe()
        _PARENT_ENDS.add(self.conn)
        deathsig = threading.current_thread() is threading.main_thread()
        self.proc = ctx.Process(target=_worker, args=(child, fn, limits.memory_mb, self.err_path, initializer, initargs,
                                                      os.getpid(), deathsig), daemon=True)
        self.proc.start()
        child.close()
        self.slot: int | None = None
        self.deadline = 0.0
        self.jobs = 0

    def give(self, slot: int, job: Any, seconds: float) -> None:
        self.slot = slot
        self.jobs += 1
        self.deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
        self.conn.send((slot, job, os.getcwd()))

    def native(self) -> str:
        try:
            fd = os.open(self.err_path, os.O_RDONLY)
        except OSError:
            return ""
        try:
            return _read_native(fd)
        finally:
            os.close(fd)

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)

    def close(self) -> None:
        """Tell the worker to stop; it exits on its own (not waited for: tearing down a forked copy of a large
        parent takes tens of milliseconds, and multiprocessing reaps finished children)."""
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self.err_path)


def _first_lines(text: str, n: int = 3, width: int = 300) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith(("stack backtrace", "note:"))]
    out = " | ".join(lines[:n])
    return out if len(out) <= width else out[: width - 3] + "..."


def _signal_name(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"


def _death(exitcode: int | None, native: str, limits: Limits) -> Outcome:
    if any(sign in native for sign in _MEMORY_SIGNS):
        return Outcome(False, code=TOO_COMPLEX, detail=f"needs more than {limits.memory_mb} MiB of memory",
                       native=native)
    why = _first_lines(native)
    detail = f"the reader stopped ({_signal_name(exitcode)})" + (f": {why}" if why else "")
    return Outcome(False, code=CRASHED, detail=detail, native=native)


# Idle workers kept between calls (a fork of a large parent, and its teardown, cost tens of milliseconds): the
# workers of the last (start method, fn, limits, initializer, initargs) used by this process.  Another key retires them, so a
# worker never runs a function or a rule-book folder it was not started with.
_IDLE: dict[str, Any] = {"key": None, "pid": None, "workers": []}
_IDLE_LOCK = threading.Lock()
MAX_JOBS_PER_WORKER = 500  # then a fresh worker (its memory headroom is measured from its start)


def _checkout(key: tuple[Any, ...], n: int) -> list[_Worker]:
    with _IDLE_LOCK:
        if _IDLE["pid"] != os.getpid() or _IDLE["key"] != key:
            old = _IDLE["workers"] if _IDLE["pid"] == os.getpid() else []
            _IDLE.update(key=key, pid=os.getpid(), workers=[])
            for w in old:
                w.close()
        idle: list[_Worker] = _IDLE["workers"]
        taken = [w for w in idle[:n] if w.proc.is_alive()]
        for w in idle[:n]:
            if w not in taken:
                w.close()
        del idle[:n]
        return taken


def _checkin(key: tuple[Any, ...], done: list[_Worker]) -> None:
    with _IDLE_LOCK:
        keep = _IDLE["key"] == key and _IDLE["pid"] == os.getpid()
        for w in done:
            if keep and w.slot is None and w.jobs < MAX_JOBS_PER_WORKER and w.proc.is_alive():
                _IDLE["workers"].append(w)
            else:
                if w.slot is not None:  # still busy: the batch was interrupted
                    w.kill()
                w.close()


def shutdown() -> None:
    """Stop the idle workers (also done at exit)."""
    with _IDLE_LOCK:
        workers, _IDLE["workers"] = _IDLE["workers"], []
        mine = _IDLE["pid"] == os.getpid()
    if mine:
        for w in workers:
            w.close()


atexit.register(shutdown)


def run_isolated(fn: Callable[[Any], Any], jobs: Sequence[Any], *, workers: int = 1, limits: Limits | None = None,
                 done: Callable[[int, Outcome], None] | None = None, initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = ()) -> list[Outcome]:
    """fn(job) for every job in `workers` worker processes under `limits`; one Outcome per job, in job order.

    `fn` must be a module-level function (picklable) and its results picklable.  `done(i, outcome)` is called in
    the parent as each job finishes (in completion order).  An exception raised by fn is an Outcome with code
    INTERNAL and the traceback as detail; it does not stop the other jobs."""
    limits = limits or Limits()
    results: list[Outcome | None] = [None] * len(jobs)
    if not jobs:
        return []
    ctx = _context()
    todo = list(range(len(jobs)))
    todo.reverse()
    pool: list[_Worker] = []
    n = max(1, min(workers, len(jobs)))

    def finish(slot: int, outcome: Outcome) -> None:
        results[slot] = outcome
        if done is not None:
            done(slot, outcome)

    def feed(w: _Worker) -> None:
        """Give w the next job; a worker found dead (e.g. killed while idle) is replaced first."""
        if not todo:
            w.slot = None
            return
        slot = todo.pop()
        try:
            w.give(slot, jobs[slot], limits.seconds)
        except (OSError, ValueError):
            w.slot = None
            w.close()
            pool[pool.index(w)] = fresh = _Worker(ctx, fn, limits, initializer, initargs)
            fresh.give(slot, jobs[slot], limits.seconds)

    key = (ctx.get_start_method(), fn, limits, initializer, initargs)
    pool.extend(_checkout(key, n))
    try:
        while len(pool) < n:
            pool.append(_Worker(ctx, fn, limits, initializer, initargs))
        for w in pool:
            feed(w)
        while any(w.slot is not None for w in pool):
            busy = [w for w in pool if w.slot is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = multiprocessing.connection.wait(
                [w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=min(timeout, 3600))
            now = time.monotonic()
            for w in busy:
                slot = w.slot
                assert slot is not None
                outcome: Outcome | None = None
                replace = False
                if w.conn in ready:
                    try:
                        got_slot, kind, value, native, retire = w.conn.recv()
                    except (EOFError, OSError):
                        w.proc.join(5)
                        outcome, replace = _death(w.proc.exitcode, w.native(), limits), True
                    else:
                        assert got_slot == slot
                        replace = retire
                        if kind == "ok":
                            outcome = Outcome(True, value=value)
                        elif kind == "memory":
                            outcome = Outcome(False, code=TOO_COMPLEX,
                                              detail=f"needs more than {limits.memory_mb} MiB of memory", native=native)
                            replace = True  # a worker that ran out of memory is not trusted with the next file
                        else:
                            outcome = Outcome(False, code=INTERNAL, detail=str(value).splitlines()[0][:300],
                                              native=str(value) + ("\n" + native if native else ""))
                elif w.proc.sentinel in ready:
                    w.proc.join(5)
                    outcome, replace = _death(w.proc.exitcode, w.native(), limits), True
                elif now >= w.deadline:
                    w.kill()
                    outcome = Outcome(False, code=TOO_COMPLEX, detail=f"takes longer than {limits.seconds:g} s",
                                      native=w.native())
                    replace = True
                if outcome is None:
                    continue
                w.slot = None
                finish(slot, outcome)
                if replace:
                    w.close()
                    pool.remove(w)
                    if todo:
                        w = _Worker(ctx, fn, limits, initializer, initargs)
                        pool.append(w)
                        feed(w)
                else:
                    feed(w)
    finally:
        _checkin(key, pool)  # busy ones (an interrupted batch) are closed
    return [r if r is not None else Outcome(False, code=INTERNAL, detail="no result") for r in results]
