"""Runs a command N times and prints, per run, its CPU time (user + system, seconds, including
the processes it waited for) and peak resident set size (KiB), from wait4(2), and its wall time
(seconds). Usage:
    python3 scripts/rusage.py N COMMAND [ARG...]
"""
import os
import sys
import time

runs = int(sys.argv[1])
argv = sys.argv[2:]
for _ in range(runs):
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} exited with {os.waitstatus_to_exitcode(status)}")
    print(f"{usage.ru_utime + usage.ru_stime:.6f} {usage.ru_maxrss} {wall:.6f}")
