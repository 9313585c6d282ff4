"""Seeds fuzz/corpus/<target>/ from the rule fixtures and tests/data.

The first byte of a format-selecting target's input picks the path it is analysed as (see the
TARGETS table of each target); seeds carry the byte that matches where the fixture came from.
"""

import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "server/redline-rules/tests/fixtures"
CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"

# Selector bytes, indexes into the TARGETS tables of the targets.
YAML = {"cloudformation": 2, "kubernetes": 1, "github_actions": 3, "gitlab_ci": 5,
        "azure_pipelines": 6}
JSON = {"cloudformation": 1, "iam": 2, "agent_config": 4, "terraform_plan": 6,
        "terraform": 3}
FIX = {("tf",): 0, ("yaml", "cloudformation"): 1, ("yaml", "kubernetes"): 2,
       ("yaml", "github_actions"): 3, ("yaml", "gitlab_ci"): 4, ("yaml", "azure_pipelines"): 5,
       ("json", "cloudformation"): 6, ("json", "iam"): 7, ("json", "agent_config"): 8,
       ("toml",): 9, ("sh",): 10}


def put(target, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def lsp_session(name, text):
    uri = "file:///fuzz/" + name
    doc = {"uri": uri}
    messages = [
        {"jsonrpc": "2.0", "method": "textDocument/didOpen",
         "params": {"textDocument": {"uri": uri, "languageId": "", "version": 1, "text": text}}},
        {"jsonrpc": "2.0", "method": "textDocument/didChange",
         "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
             {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 2}},
              "text": "é\n"}]}},
        {"jsonrpc": "2.0", "id": 1, "method": "textDocument/diagnostic",
         "params": {"textDocument": doc}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
         "params": {"textDocument": doc, "position": {"line": 2, "character": 3}}},
        {"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction",
         "params": {"textDocument": doc, "range": {"start": {"line": 0, "character": 0},
                                                   "end": {"line": 9, "character": 0}},
                    "context": {"diagnostics": []}}},
        {"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": doc}},
        {"jsonrpc": "2.0", "id": 4, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    return b"".join(frame(message) for message in messages)


def main():
    files = [path for path in sorted(FIXTURES.rglob("*")) if path.is_file()]
    files += [path for path in sorted((ROOT / "tests/data").rglob("*")) if path.is_file()
              and path.suffix in (".tf", ".json", ".yaml", ".yml", ".sh", ".toml")
              and "sarif" not in path.name]
    for path in files:
        data = path.read_bytes()
        ext = path.name.split(".")[-1]
        module = path.relative_to(FIXTURES).parts[0] if FIXTURES in path.parents else ""
        if ext == "tf":
            put("terraform", b"\0" + data)
            put("terraform_eval", b"\0" + data)
        elif ext in ("yaml", "yml"):
            put("yaml", bytes([YAML.get(module, 0)]) + data)
        elif ext == "json":
            put("json", bytes([JSON.get(module, 0)]) + data)
            if path.name.endswith(".tf.json"):
                put("terraform_eval", b"\1" + data)
            if module == "terraform_plan" or path.name == "plan.json":
                put("plan", data)
        elif ext == "toml":
            put("toml", b"\0" + data)
        elif ext == "sh":
            put("shell", b"\0" + data)
            # Shell fixtures double as Dockerfile RUN lines and Makefile recipes.
            body = b"".join(b"RUN " + line + b"\n" for line in data.splitlines() if line.strip())
            put("shell", b"\2FROM alpine\n" + body)
            body = b"".join(b"\t" + line + b"\n" for line in data.splitlines() if line.strip())
            put("shell", b"\4deploy:\n" + body)
        key = (ext,) if ext in ("tf", "toml", "sh") else (ext if ext != "yml" else "yaml", module)
        if key in FIX:
            put("fix", bytes([FIX[key]]) + data)
        name = "main.tf" if ext == "tf" else path.name
        if module == "github_actions":
            name = ".github/workflows/" + path.name
        put("lsp", lsp_session(name, data.decode("utf-8", "replace")))
    put("lsp", b"Content-Length: 5\r\n\r\n{\"a\":")
    put("lsp", b"Content-Length: 2\r\n\r\n[]")


main()
