// Packages the extension for one platform with the redline binary in `bin/`, as
// rust-analyzer's and ruff's extensions ship theirs:
//
//   npm run package:platform -- --target linux-x64 --binary ../../target/release/redline
//
// writes `redline-linux-x64.vsix`. Targets are VS Code's (`linux-x64`, `linux-arm64`,
// `darwin-arm64`, `win32-x64`, …); the binary must be built for that target. Without a binary
// in `bin/`, the extension runs `redline.path` or `redline` on PATH.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { target: { type: "string" }, binary: { type: "string" } },
});
if (!values.target || !values.binary) {
  console.error("usage: npm run package:platform -- --target TARGET --binary PATH");
  process.exit(2);
}
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = path.join(root, "bin");
const name = values.target.startsWith("win32-") ? "redline.exe" : "redline";
rmSync(bin, { recursive: true, force: true });
mkdirSync(bin);
try {
  copyFileSync(values.binary, path.join(bin, name));
  chmodSync(path.join(bin, name), 0o755);
  const vsce = path.join(root, "node_modules", "@vscode", "vsce", "vsce");
  execFileSync(
    process.execPath,
    [vsce, "package", "--no-dependencies", "--skip-license", "--target", values.target,
      "--out", `redline-${values.target}.vsix`],
    { cwd: root, stdio: "inherit" },
  );
} finally {
  rmSync(bin, { recursive: true, force: true });
}
