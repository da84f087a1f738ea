"""Atomic file writes whose leftovers are cleaned up: the one helper behind ``nn.save`` and training checkpoints.

:func:`atomic_write` writes to a temporary file beside the target, named ``.<name>.tmp-<pid>-<n>`` (the target's
name, the writing process's id and a counter), flushes and fsyncs it, and renames it over the target with
``os.replace`` (atomic on POSIX and Windows): readers see the old file or the new one, never half of one. If the
write fails the temporary file is removed. If the process is killed midway (SIGKILL, power loss) the temporary
file stays, but the next write to the same path removes it: temporary files of that target whose process no
longer exists are deleted before writing (those of a process still running, which may be writing right now, are
left alone).

Example::

    >>> atomic_write("ckpt.npz", lambda f: np.savez(f, w=w))
"""
import itertools
import os
import re
import threading

__all__ = ["atomic_write", "temp_path", "remove_stale_temp_files"]

_counter = itertools.count()
_in_flight = set()          # this process's temporary files being written now (any thread)
_lock = threading.Lock()


def temp_path(path):
    """A fresh temporary name beside ``path``: ``<dir>/.<name>.tmp-<pid>-<n>``."""
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    return os.path.join(directory, f".{name}.tmp-{os.getpid()}-{next(_counter)}")


def _pid_alive(pid):
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):   # exists but belongs to someone else (or we can't tell): keep its file
        return True
    return True


def remove_stale_temp_files(path):
    """Delete the temporary files that killed writes to ``path`` left behind; returns the paths removed.

    Only names of :func:`temp_path`'s pattern for this very target are considered, and only those whose process
    is gone (or, for this process, that no thread is writing now)."""
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    pattern = re.compile(r"\." + re.escape(name) + r"\.tmp-(\d+)(?:-\d+)?")
    removed = []
    try:
        entries = os.listdir(directory)
    except OSError:
        return removed
    me = os.getpid()
    for entry in entries:
        match = pattern.fullmatch(entry)
        if match is None:
            continue
        full = os.path.join(directory, entry)
        pid = int(match.group(1))
        with _lock:
            busy = full in _in_flight
        if busy or (pid != me and _pid_alive(pid)):
            continue
        try:
            if os.path.isfile(full) and not os.path.islink(full):
                os.unlink(full)
                removed.append(full)
        except OSError:
            pass
    return removed


def atomic_write(path, write, mode=None):
    """Write ``path`` atomically: ``write(f)`` fills an open binary file object; then fsync and ``os.replace``.

    Args:
        path: the target file.
        write: a function of the open temporary file.
        mode: permission bits for the new file (default: an existing target's, else 0o666 minus the umask).
    """
    path = os.fspath(path)
    remove_stale_temp_files(path)
    tmp = temp_path(path)
    with _lock:
        _in_flight.add(tmp)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _file_mode(path) if mode is None else mode)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
    finally:
        with _lock:
            _in_flight.discard(tmp)


def _file_mode(path):
    """Keep an existing file's permissions; a new file gets the usual 0o666 minus the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
