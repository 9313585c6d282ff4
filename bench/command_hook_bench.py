#!/usr/bin/env python3
"""CPU time of `redline hook claude` on Bash calls: the whole process, per call.

Runs every command of the command suite (tests/data/commands/*.tsv, dangerous and harmless
alike) through the release binary in a small git repository, measures the user and system CPU
time of each process with getrusage, and prints the median, 99th percentile and maximum in
milliseconds.

    python3 bench/command_hook_bench.py [--binary PATH] [--runs 3]
"""

import argparse
import json
import os
import resource
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def commands():
    for path in sorted((ROOT / "tests/data/commands").glob("*.tsv")):
        for line in path.read_text().splitlines():
            fields = line.split("\t")
            if line.startswith("#") or len(fields) != 4:
                continue
            yield fields[2].replace("⏎", "\n")
            yield fields[3].replace("⏎", "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "target/release/redline"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=folder, check=True, env=env)
        Path(folder, "infra").mkdir()
        Path(folder, "infra/main.tf").write_text('resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
        Path(folder, "README.md").write_text("# app\n")
        subprocess.run(["git", "add", "-A"], cwd=folder, check=True, env=env)
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "base"],
            cwd=folder, check=True, env=env,
        )
        times = []
        all_commands = list(commands())
        for _ in range(args.runs):
            for command in all_commands:
                payload = json.dumps({
                    "session_id": "bench", "cwd": folder, "hook_event_name": "PreToolUse",
                    "tool_name": "Bash", "tool_input": {"command": command},
                })
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run([args.binary, "hook", "claude"], input=payload.encode(),
                               cwd=folder, env={**env, "HOME": folder}, capture_output=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                times.append(1000 * ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)))
    print(f"hook CPU time per Bash call: {len(all_commands)} commands x {args.runs} runs, "
          f"median {percentile(times, 0.5):.2f} ms, p99 {percentile(times, 0.99):.2f} ms, "
          f"max {max(times):.2f} ms")


if __name__ == "__main__":
    main()
