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
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let statusBar: vscode.StatusBarItem | undefined;

const DOCUMENTS = [
  "terraform",
  "terraform-vars",
  "hcl",
  "yaml",
  "github-actions-workflow",
  "json",
  "jsonc",
  "shellscript",
  "toml",
].map((language) => ({ language }));

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  statusBar = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  statusBar.command = "workbench.actions.view.problems";
  context.subscriptions.push(statusBar);
  context.subscriptions.push(vscode.languages.onDidChangeDiagnostics(updateStatusBar));
  context.subscriptions.push(
    vscode.commands.registerCommand("redline.explainRule", (rule?: string) => explainRule(rule)),
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("redline.path")) {
        await restart(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const command = serverPath(context);
  const serverOptions: ServerOptions = {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENTS,
    initializationOptions: serverSettings(),
    synchronize: {
      configurationSection: "redline",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/redline.toml"),
    },
  };
  client = new LanguageClient("redline", "redline", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `redline: cannot start \`${command} lsp\`: ${String(error)}. Set "redline.path".`,
    );
  }
  updateStatusBar();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await client?.stop();
  await start(context);
}

/** The binary: `redline.path`, else one bundled in `bin/`, else `redline` on PATH. */
function serverPath(context: vscode.ExtensionContext): string {
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
    rules: { disable: config.get<string[]>("rules.disable", []) },
  };
}

function updateStatusBar(): void {
  if (!statusBar) {
    return;
  }
  let count = 0;
  for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
    count += diagnostics.filter((diagnostic) => diagnostic.source === "redline").length;
  }
  statusBar.text = count === 0 ? "$(shield) redline" : `$(shield) redline: ${count}`;
  statusBar.tooltip = `${count} redline finding${count === 1 ? "" : "s"}`;
  statusBar.show();
}

/** Shows a rule's documentation: the rule given, the one under the cursor, or one typed in. */
async function explainRule(rule?: string): Promise<void> {
  if (!client) {
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
