#!/usr/bin/env python3
"""Sample the resident memory of a process tree until its root exits.

    rss_sampler.py --pid PID --out FILE [--interval SECONDS]

Every interval, writes `seconds_since_PID_started rss_kib` to FILE, where rss_kib is the largest VmRSS
among PID and its descendants (the measured program, not the `time`/`timeout` wrappers around it).
Linux /proc only; standard library only. Exits when PID is gone.
"""

import argparse
import os
import time


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.extend(int(child) for child in handle.read().split())
    except OSError:
        pass
    return found


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def started_ago(pid: int) -> float | None:
    """Seconds since pid started, from its start time in /proc/PID/stat and /proc/uptime."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--interval", type=float, default=0.25)
    args = parser.parse_args()
    # Times count from the start of the root process, not of this sampler, which starts a little later.
    start = time.monotonic() - (started_ago(args.pid) or 0.0)
    with open(args.out, "w", encoding="ascii") as out:
        while os.path.exists(f"/proc/{args.pid}"):
            largest = 0
            pending = [args.pid]
            while pending:
                pid = pending.pop()
                largest = max(largest, rss_kib(pid))
                pending.extend(children(pid))
            if largest:  # 0: the root has exited and awaits its parent
                out.write(f"{time.monotonic() - start:.2f} {largest}\n")
                out.flush()
            time.sleep(args.interval)


if __name__ == "__main__":
    main()
