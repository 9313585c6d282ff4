#!/usr/bin/env python3
"""Round-trip latency of `redline mcp` tool calls over one persistent stdio session.

Copies a repository (default: the terraform-aws-eks checkout under /tmp/corpus) into a
temporary git repository, starts the release binary once as `redline mcp --root COPY`, and
times each call N times from writing the `tools/call` request to reading its answer, printing
the decision and the median and 99th percentile in milliseconds. Nothing in the copy is
written by the server.

    python3 bench/mcp_bench.py [--repo PATH] [--binary PATH] [--runs 1000]
"""

import argparse
import json
import shutil
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


class Session:
    """One `redline mcp` process, spoken to one request at a time."""

    def __init__(self, binary, root):
        self.process = subprocess.Popen(
            [binary, "mcp", "--root", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.next_id = 0
        self.request("initialize", {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "mcp_bench", "version": "1"},
        })
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, message):
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            answer = json.loads(self.process.stdout.readline())
            if answer.get("id") == self.next_id:
                return answer

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", default="/tmp/corpus/terraform-aws-eks")
    parser.add_argument("--binary", default=None)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    binary = args.binary or str(ROOT / "target/release/redline")

    work = Path(tempfile.mkdtemp(prefix="redline-mcp-bench-"))
    repo = work / "repo"
    shutil.copytree(args.repo, repo, ignore=shutil.ignore_patterns(".git"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    first_line = (repo / "main.tf").read_text().splitlines()[0]

    calls = {
        "check_command ls -la": ("check_command", {"command": "ls -la"}),
        "check_command git status && ls": ("check_command", {"command": "git status && ls"}),
        "check_command terraform destroy -auto-approve": (
            "check_command", {"command": "terraform destroy -auto-approve"}),
        "check_command rm main.tf": ("check_command", {"command": "rm main.tf"}),
        "check_edit main.tf": ("check_edit", {
            "path": "main.tf", "old_string": first_line, "new_string": first_line + " # edited"}),
    }
    session = Session(binary, repo)
    print(f"repository: {args.repo} ({sum(1 for _ in repo.rglob('*.tf'))} .tf files), runs: {args.runs}")
    print("| Call | Decision | Median (ms) | p99 (ms) |")
    print("| --- | --- | --- | --- |")
    for name, (tool, arguments) in calls.items():
        params = {"name": tool, "arguments": arguments}
        # The first calls warm the file cache and the server's allocations.
        for _ in range(min(20, args.runs)):
            session.request("tools/call", params)
        runs = args.runs if tool == "check_command" and "rm" not in arguments["command"] else max(args.runs // 5, 1)
        timings = []
        decision = "?"
        for _ in range(runs):
            start = time.perf_counter()
            answer = session.request("tools/call", params)
            timings.append((time.perf_counter() - start) * 1000)
            decision = answer["result"].get("structuredContent", {}).get("decision", "error")
        print(f"| {name} | {decision} | {percentile(timings, 0.5):.2f} | {percentile(timings, 0.99):.2f} |")
    session.close()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
