#!/usr/bin/env python3
"""Stand-in for `/usr/bin/time -v -o FILE COMMAND...` where GNU time is not installed.

Runs COMMAND, then writes to FILE the lines of GNU time's verbose report that bench/scale_report.py
reads: user and system seconds, wall clock, peak RSS (ru_maxrss of the waited-for children, KiB on
Linux) and the exit status. Exits with COMMAND's status (128 + signal when a signal ended it).
Standard library only.
"""

import resource
import subprocess
import sys
import time


def main() -> int:
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "-o":
        print("usage: rusage_time.py -o FILE COMMAND [ARG...]", file=sys.stderr)
        return 2
    report, command = args[1], args[2:]
    start = time.monotonic()
    try:
        status = subprocess.call(command)
    except OSError as error:
        print(f"rusage_time.py: cannot run {command[0]}: {error}", file=sys.stderr)
        return 127
    wall = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    minutes, seconds = divmod(wall, 60)
    exit_status = status if status >= 0 else 128 - status
    lines = [
        f"\tCommand being timed: \"{' '.join(command)}\"",
        f"\tUser time (seconds): {usage.ru_utime:.2f}",
        f"\tSystem time (seconds): {usage.ru_stime:.2f}",
        f"\tElapsed (wall clock) time (h:mm:ss or m:ss): {int(minutes)}:{seconds:05.2f}",
        f"\tMaximum resident set size (kbytes): {usage.ru_maxrss}",
        f"\tExit status: {exit_status}",
    ]
    if status < 0:
        lines.insert(0, f"Command terminated by signal {-status}")
    with open(report, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return exit_status


if __name__ == "__main__":
    sys.exit(main())
