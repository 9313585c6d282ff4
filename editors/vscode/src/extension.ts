// The redline extension: starts `redline lsp` and shows what it finds.
// All analysis happens in the server; this file only starts it, passes settings and adds UI.
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

/** The code action kind of the server's "fix all safe fixes" action. */
const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append("redline");

/**
 * Every file `redline check` reads, by name, so that files open in a stock VS Code (where
 * `.tf` is Plain Text) get the server; the server decides the format from path and content.
 */
const FILE_PATTERNS = [
  "**/*.{tf,tfvars,hcl}",
  "**/*.{tf,tfvars}.json",
  "**/*.{yml,yaml}",
  "**/*.{json,template}",
  "**/*.{sh,bash}",
  "**/{Makefile,makefile,GNUmakefile,*.mk}",
  "**/{Dockerfile,Containerfile,*.dockerfile,*.containerfile}",
  "**/{Dockerfile,Containerfile,dockerfile,containerfile}.*",
  "**/.codex/config.toml",
];

/** Languages whose files have no telling name: shell scripts with a shebang, unsaved buffers. */
const LANGUAGES = [
  "terraform",
  "terraform-vars",
  "hcl",
  "yaml",
  "github-actions-workflow",
  "json",
  "jsonc",
  "shellscript",
  "toml",
  "dockerfile",
  "makefile",
];

const DOCUMENT_SELECTOR = [
  ...FILE_PATTERNS.map((pattern) => ({ scheme: "file", pattern })),
  ...LANGUAGES.map((language) => ({ scheme: "file", language })),
  ...LANGUAGES.map((language) => ({ scheme: "untitled", language })),
];

type ServerState =
  | { kind: "starting" }
  | { kind: "running" }
  | { kind: "failed"; reason: string }
  | { kind: "stopped" };

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let statusBar: vscode.StatusBarItem | undefined;
let state: ServerState = { kind: "stopped" };
// Restarts are serialised: a second one waits for the first.
let restarting: Promise<void> = Promise.resolve();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("redline", { log: true });
  context.subscriptions.push(output);
  statusBar = vscode.window.createStatusBarItem("redline.status", vscode.StatusBarAlignment.Left, 0);
  statusBar.name = "redline";
  statusBar.command = "redline.showOutput";
  context.subscriptions.push(statusBar);
  context.subscriptions.push(
    vscode.languages.onDidChangeDiagnostics(() => updateStatusBar()),
    vscode.commands.registerCommand("redline.restart", () => restart(context)),
    vscode.commands.registerCommand("redline.showOutput", () => output?.show(true)),
    vscode.commands.registerCommand("redline.fixAll", () => fixAll()),
    vscode.commands.registerCommand("redline.explainRule", (rule?: string) => explainRule(rule)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("redline.path")) {
        void restart(context);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => restart(context)),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

function setState(next: ServerState): void {
  state = next;
  updateStatusBar();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const command = serverPath(context);
  setState({ kind: "starting" });
  output?.info(`starting \`${command} lsp\``);
  const serverOptions: ServerOptions = {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    initializationOptions: serverSettings(),
    outputChannel: output,
    traceOutputChannel: output,
    synchronize: {
      configurationSection: "redline",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/redline.toml"),
    },
    // A server that cannot start is reported once, in the status bar, not in a dialog per
    // attempt.
    initializationFailedHandler: () => false,
  };
  const created = new LanguageClient("redline", "redline", serverOptions, clientOptions);
  created.onDidChangeState((event) => {
    if (created !== client) {
      return;
    }
    if (event.newState === State.Running) {
      setState({ kind: "running" });
    } else if (event.newState === State.Stopped && state.kind === "running") {
      setState({ kind: "failed", reason: "the server stopped; see the redline output" });
    }
  });
  client = created;
  try {
    await created.start();
    setState({ kind: "running" });
    output?.info(`\`${command} lsp\` is running`);
  } catch (error) {
    const reason = startFailure(command, error);
    output?.error(reason);
    setState({ kind: "failed", reason });
    // The client is left as it is: stopping a client whose start failed throws.
    client = undefined;
  }
}

/** Why the server did not start, in words a user can act on. */
function startFailure(command: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/ENOENT/.test(message)) {
    return `cannot find \`${command}\`: install redline or set "redline.path"`;
  }
  if (/EACCES/.test(message)) {
    return `cannot run \`${command}\`: it is not executable; check "redline.path"`;
  }
  return `cannot start \`${command} lsp\`: ${message}`;
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  if (!current) {
    return;
  }
  try {
    if (current.isRunning()) {
      await current.stop();
    }
  } catch (error) {
    output?.warn(`stopping the server: ${String(error)}`);
  }
  try {
    await current.dispose();
  } catch {
    // Disposing a client that never started may throw; there is nothing left to release.
  }
}

function restart(context: vscode.ExtensionContext): Promise<void> {
  restarting = restarting.then(async () => {
    await stop();
    await start(context);
  });
  return restarting;
}

/** The binary: `redline.path`, else one bundled in `bin/`, else `redline` on PATH. */
function serverPath(context: vscode.ExtensionContext): string {
  // `redline.path` is machine-scoped and a restricted setting: VS Code reads it from user
  // settings only, and ignores a workspace's value while the workspace is not trusted.
  const configured = vscode.workspace.getConfiguration("redline").get<string>("path", "");
  if (configured) {
    return configured;
  }
  const bundled = path.join(
    context.extensionPath,
    "bin",
    process.platform === "win32" ? "redline.exe" : "redline",
  );
  return fs.existsSync(bundled) ? bundled : "redline";
}

/** The settings object the server reads (see `redline-lsp/src/settings.rs`). */
function serverSettings(): object {
  const config = vscode.workspace.getConfiguration("redline");
  return {
    enable: config.get<boolean>("enable", true),
    severity: config.get<string>("severity", "info"),
    infoAsHint: config.get<boolean>("infoAsHint", true),
    debounceMs: config.get<number>("debounceMs", 100),
    scanWorkspace: config.get<boolean>("scanWorkspace", true),
    rules: {
      disable: config.get<string[]>("rules.disable", []),
      severity: config.get<Record<string, string>>("rules.severity", {}),
    },
  };
}

function updateStatusBar(): void {
  if (!statusBar) {
    return;
  }
  switch (state.kind) {
    case "starting":
      statusBar.text = "$(sync~spin) redline: starting";
      statusBar.tooltip = "redline: starting the server";
      statusBar.backgroundColor = undefined;
      break;
    case "running": {
      let count = 0;
      for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
        count += diagnostics.filter((diagnostic) => diagnostic.source === "redline").length;
      }
      statusBar.text = `$(shield) redline: ${count} finding${count === 1 ? "" : "s"}`;
      statusBar.tooltip = "redline is running; click for its output";
      statusBar.backgroundColor = undefined;
      break;
    }
    case "failed":
      statusBar.text = "$(error) redline: failed";
      statusBar.tooltip = `redline: ${state.reason}. Click for the log.`;
      statusBar.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
      break;
    case "stopped":
      statusBar.text = "$(shield) redline: stopped";
      statusBar.tooltip = "redline is not running";
      statusBar.backgroundColor = undefined;
      break;
  }
  statusBar.show();
}

/** Applies every safe fix of the active file (the server's `source.fixAll.redline` action). */
async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return;
  }
  const document = editor.document;
  const whole = new vscode.Range(0, 0, document.lineCount, 0);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    "vscode.executeCodeActionProvider",
    document.uri,
    whole,
    FIX_ALL_KIND.value,
  );
  const action = actions?.find((candidate) => candidate.kind && FIX_ALL_KIND.contains(candidate.kind));
  if (!action?.edit) {
    void vscode.window.showInformationMessage("redline: no safe fix applies to this file");
    return;
  }
  await vscode.workspace.applyEdit(action.edit);
}

/** Shows a rule's documentation: the rule given, the one under the cursor, or one typed in. */
async function explainRule(rule?: string): Promise<void> {
  if (!client) {
    void vscode.window.showWarningMessage("redline: the server is not running");
    return;
  }
  let id = rule ?? ruleAtCursor();
  if (!id) {
    id = await vscode.window.showInputBox({
      prompt: "Rule id or name",
      placeHolder: "RL-TF-010 or force-destroy-enabled",
    });
  }
  if (!id) {
    return;
  }
  try {
    const markdown = await client.sendRequest(ExecuteCommandRequest.type, {
      command: "redline.explain",
      arguments: [id],
    });
    const document = await vscode.workspace.openTextDocument({
      language: "markdown",
      content: String(markdown),
    });
    await vscode.window.showTextDocument(document, { preview: true });
  } catch (error) {
    void vscode.window.showErrorMessage(`redline: ${String(error)}`);
  }
}

function ruleAtCursor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return undefined;
  }
  const position = editor.selection.active;
  const diagnostic = vscode.languages
    .getDiagnostics(editor.document.uri)
    .find((item) => item.source === "redline" && item.range.contains(position));
  const code = diagnostic?.code;
  if (typeof code === "object" && code !== null) {
    return String(code.value);
  }
  return code === undefined ? undefined : String(code);
}
