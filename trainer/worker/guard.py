"""Runs a trainer command and takes its whole process group down when the worker that started it disappears.

The worker starts every run as `python3 guard.py <command…>` in a new process group, with a pipe on stdin that it
never writes to. If the worker dies (kill -9, host OOM killer, crash) the pipe closes, and this guard kills the
group, so a run never keeps training on after its worker is gone while another worker resumes it.
Standard library only: it must run with any python3, torch or not.
"""
import os
import signal
import subprocess
import sys
import threading
import time

GRACE_SECONDS = float(os.environ.get("RLHF_GUARD_GRACE_SECONDS", "5"))


def kill_group():
    try:
        os.killpg(0, signal.SIGTERM)
        time.sleep(GRACE_SECONDS)
        os.killpg(0, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: guard.py command [args…]\n")
        return 2
    child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)
    # Set after the fork so the trainer keeps the default: the guard ignores the SIGTERM sent to the group, to
    # outlive the trainer and report its exit status; the worker's kill sequence ends with SIGKILL anyway.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def watch_parent():
        # os.read on the raw fd, not sys.stdin: a daemon thread blocked inside a buffered reader makes the
        # interpreter abort at exit ("could not acquire lock for <stdin>").
        while os.read(0, 4096):
            pass  # the worker never writes; only EOF (the worker is gone) ends the loop
        if child.poll() is None:
            kill_group()

    threading.Thread(target=watch_parent, daemon=True).start()
    code = child.wait()
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    status = main()
    sys.stderr.flush()
    # _exit: skip interpreter shutdown, which would wait on the watcher thread's blocking read.
    os._exit(status)
