#!/usr/bin/env python3
"""Times a command as a whole process, start-up included, RUNS times in a row:
median wall and CPU seconds (user + system) and the largest peak RSS (the OS's own
accounting of each finished child, os.wait4). Prints one JSON object; the command's own
output goes to LOG (appended), so a figure it prints can be read back from there.

  whole_process.py RUNS LOG -- COMMAND [ARG ...]
"""
import json
import os
import statistics
import subprocess
import sys
import time


def main():
    runs, log = int(sys.argv[1]), sys.argv[2]
    assert sys.argv[3] == "--", "usage: whole_process.py RUNS LOG -- COMMAND [ARG ...]"
    cmd = sys.argv[4:]
    walls, cpus, peaks, codes = [], [], [], []
    with open(log, "a", encoding="utf-8") as out:
        for _ in range(runs):
            t0 = time.monotonic()
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
            _, status, usage = os.wait4(p.pid, 0)
            walls.append(time.monotonic() - t0)
            cpus.append(usage.ru_utime + usage.ru_stime)
            peaks.append(usage.ru_maxrss / 1024.0)  # KiB -> MiB
            codes.append(os.waitstatus_to_exitcode(status))
    print(json.dumps({"wall_s": statistics.median(walls), "wall_min_s": min(walls), "wall_max_s": max(walls),
                      "cpu_s": statistics.median(cpus), "peak_mib": max(peaks), "exit_codes": codes}))


if __name__ == "__main__":
    main()
