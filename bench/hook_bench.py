#!/usr/bin/env python3
"""Latency of `redline hook claude` on a real repository: Edit, Write and Bash calls.

Copies a repository (default: the terraform-aws-eks checkout under /tmp/corpus) into a
temporary git repository, then times each payload N times with the release binary and prints
the median and 99th percentile in milliseconds. Nothing in the copy is written by the hook.

    python3 bench/hook_bench.py [--repo PATH] [--binary PATH] [--runs 200]
"""

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def git(folder, *args):
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=folder,
        check=True,
        stdout=subprocess.DEVNULL,
        env={"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "PATH": "/usr/bin:/bin"},
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", default="/tmp/corpus/terraform-aws-eks")
    parser.add_argument("--binary", default=None)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    binary = args.binary or str(ROOT / "target/release/redline")

    work = Path(tempfile.mkdtemp(prefix="redline-hook-bench-"))
    repo = work / "repo"
    shutil.copytree(args.repo, repo, ignore=shutil.ignore_patterns(".git"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    main_tf = repo / "main.tf"
    text = main_tf.read_text()
    first_line = text.splitlines()[0]
    cwd = str(repo)

    payloads = {
        "Edit main.tf": {
            "tool_name": "Edit",
            "tool_input": {"file_path": str(main_tf), "old_string": first_line, "new_string": first_line + " # edited"},
        },
        "Write main.tf": {
            "tool_name": "Write",
            "tool_input": {"file_path": str(main_tf), "content": text + "\n# appended\n"},
        },
        "Bash ls": {"tool_name": "Bash", "tool_input": {"command": "ls -la && git status"}},
        "Bash terraform destroy": {"tool_name": "Bash", "tool_input": {"command": "terraform destroy -target=aws_eks_cluster.this"}},
        "Bash sed -i main.tf": {"tool_name": "Bash", "tool_input": {"command": "sed -i 's/# edited//' main.tf"}},
        "Bash rm main.tf": {"tool_name": "Bash", "tool_input": {"command": "rm main.tf"}},
        "Bash mv main.tf": {"tool_name": "Bash", "tool_input": {"command": "mv main.tf cluster.tf"}},
        "Bash kubectl delete -f": {"tool_name": "Bash", "tool_input": {"command": "kubectl delete -f examples/"}},
    }
    print(f"repository: {args.repo} ({sum(1 for _ in repo.rglob('*.tf'))} .tf files), runs: {args.runs}")
    print("| Call | Decision | Median (ms) | p99 (ms) |")
    print("| --- | --- | --- | --- |")
    for name, payload in payloads.items():
        body = json.dumps({"cwd": cwd, "hook_event_name": "PreToolUse", **payload}).encode()
        timings = []
        decision = "allow"
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run([binary, "hook", "claude"], input=body, capture_output=True, cwd=cwd)
            timings.append((time.perf_counter() - start) * 1000)
            if done.stdout:
                decision = json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"]
        print(f"| {name} | {decision} | {statistics.median(timings):.1f} | {percentile(timings, 0.99):.1f} |")
    if main_tf.read_text() != text:
        raise SystemExit("the hook changed main.tf")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
