// Driven by tests/vscode.rs: drives a real VS Code (code-server in Debian's Chromium, through
// playwright-core) with the redline extension installed in a stock profile.
//
// Environment: REDLINE_PLAYWRIGHT (the playwright-core folder), REDLINE_CHROMIUM, REDLINE_URL
// (code-server), REDLINE_WORKSPACE (the folder it serves), REDLINE_SETTINGS (the user
// settings.json), REDLINE_BIN (the redline binary), REDLINE_SCREENSHOTS (a folder).
// Prints one `key=value` line per check and `timing NAME=MS` lines; any failure exits non-zero.
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require(process.env.REDLINE_PLAYWRIGHT);

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};
const WORKSPACE = env("REDLINE_WORKSPACE");
const SETTINGS = env("REDLINE_SETTINGS");
const SCREENSHOTS = env("REDLINE_SCREENSHOTS");
// Generous kill-timers for a loaded 2-core machine; nothing asserts on how long a step took.
const PATIENCE = 60000;

let page;
let shot = 0;
const say = (line) => process.stdout.write(`${line}\n`);
const timing = (name, since) => say(`timing ${name}_ms=${Date.now() - since}`);

async function screenshot(name) {
  shot += 1;
  const file = path.join(SCREENSHOTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
}

/** Waits until `probe()` returns a truthy value, and returns it. */
async function until(what, probe) {
  const deadline = Date.now() + PATIENCE;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      await screenshot(`timeout-${what.replace(/\W+/g, "-")}`);
      throw new Error(`timed out waiting for ${what}`);
    }
    await page.waitForTimeout(50);
  }
}

function writeSettings(extra) {
  const settings = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": false,
    "extensions.ignoreRecommendations": true,
    "editor.hover.delay": 100,
    "editor.minimap.enabled": false,
    "files.autoSave": "off",
    "git.enabled": false,
    ...extra,
  };
  fs.mkdirSync(path.dirname(SETTINGS), { recursive: true });
  fs.writeFileSync(SETTINGS, JSON.stringify(settings, null, 2));
}

/** The redline status bar item's text. */
async function statusText() {
  const item = page.locator(".statusbar-item", { hasText: "redline" }).first();
  return (await item.count()) ? (await item.innerText()).trim() : "";
}

/** Opens a file from the Explorer (as a pinned editor) and waits for its editor. */
async function openFile(name) {
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: name }).first();
  await row.waitFor({ timeout: PATIENCE });
  await row.dblclick();
  await until(`the editor of ${name}`, async () => {
    const tab = page.locator(".tabs-container .tab.active", { hasText: name });
    return (await tab.count()) > 0;
  });
}

/** The text of the visible lines of the active editor. */
async function editorText() {
  const lines = await page.locator(".editor-instance .monaco-editor .view-lines .view-line").evaluateAll(
    (nodes) =>
      nodes
        .map((node) => ({ top: parseFloat(node.style.top), text: node.textContent }))
        .sort((a, b) => a.top - b.top)
        .map((line) => line.text.replace(/\u00a0/g, " ")),
  );
  return lines.join("\n");
}

/** The screen rectangle of the first occurrence of `needle` on the visible line holding it. */
async function textRect(needle, occurrence = 0) {
  return page.evaluate(
    ({ needle, occurrence }) => {
      const lines = [...document.querySelectorAll(".editor-instance .monaco-editor .view-line")];
      let seen = 0;
      for (const line of lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))) {
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        let text = "";
        const nodes = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          nodes.push({ node, start: text.length });
          text += node.textContent;
        }
        const plain = text.replace(/\u00a0/g, " ");
        let index = plain.indexOf(needle);
        while (index !== -1 && seen < occurrence) {
          seen += 1;
          index = plain.indexOf(needle, index + 1);
        }
        if (index === -1) {
          continue;
        }
        const at = (offset) => {
          const found = nodes.filter((item) => item.start <= offset).pop();
          return [found.node, offset - found.start];
        };
        const range = document.createRange();
        range.setStart(...at(index));
        range.setEnd(...at(index + needle.length));
        const rect = range.getBoundingClientRect();
        return { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom };
      }
      return null;
    },
    { needle, occurrence },
  );
}

/** The rectangles of the error squiggles drawn in the active editor. */
async function squiggles(kind = "error") {
  return page.locator(`.editor-instance .monaco-editor .squiggly-${kind}`).evaluateAll((nodes) =>
    nodes.map((node) => {
      const rect = node.getBoundingClientRect();
      return { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom };
    }),
  );
}

/** Whether a squiggle lies under the text `needle` (to within two pixels at each end). */
async function squiggleUnder(needle, kind = "error") {
  const rect = await textRect(needle);
  if (!rect) {
    return false;
  }
  const drawn = await squiggles(kind);
  return drawn.some(
    (squiggle) =>
      Math.abs(squiggle.left - rect.left) <= 2 &&
      Math.abs(squiggle.right - rect.right) <= 2 &&
      squiggle.top >= rect.top - 2 &&
      squiggle.top <= rect.bottom + 4,
  );
}

async function showProblems() {
  if ((await page.locator(".markers-panel").count()) === 0 || !(await page.locator(".markers-panel").isVisible())) {
    await page.locator("#status\\.problems").click();
  }
  await page.locator(".markers-panel").waitFor({ timeout: PATIENCE });
}

/** The Problems panel's rows for findings (message, source and position). */
async function problems() {
  return page.locator(".markers-panel .monaco-list-row").evaluateAll((rows) =>
    rows
      .map((row) => (row.getAttribute("aria-label") || "") + " " + row.textContent)
      .map((text) => text.replace(/\u00a0/g, " ").replace(/\s+/g, " ").trim())
      .filter((text) => /RL-/.test(text)),
  );
}

/**
 * The Problems row of `rule` at `position` (`[Ln 2, Col 38]`), once it is listed with `text` in
 * its message: while the user types, the rows of earlier versions of the text come and go.
 */
async function problem(rule, position, text = "") {
  await showProblems();
  return until(`${rule} at ${position} in the Problems panel`, async () => {
    const rows = await problems();
    if (process.env.REDLINE_DEBUG) {
      process.stderr.write(`${JSON.stringify(rows)}\n`);
    }
    const row = rows.find((row) => row.includes(rule) && row.includes(position) && row.includes(text));
    // The row's accessible label: "Error: MESSAGE at line L and character C. generated by …".
    const label = row && /^(\w+): (.*?) at line \d+ and character \d+\./.exec(row);
    return label && `${rule} ${position} ${label[1]}: ${label[2].slice(0, 60)}`;
  });
}

/** Puts the cursor at the start of `needle` by clicking on it. */
async function clickOn(needle, occurrence = 0) {
  const rect = await until(`the text ${needle}`, () => textRect(needle, occurrence));
  await page.mouse.click(rect.left + 1, (rect.top + rect.bottom) / 2);
  return rect;
}

/** Selects `needle` by dragging over it. */
async function select(needle, occurrence = 0) {
  const rect = await until(`the text ${needle}`, () => textRect(needle, occurrence));
  const y = (rect.top + rect.bottom) / 2;
  await page.mouse.move(rect.left + 0.5, y);
  await page.mouse.down();
  await page.mouse.move(rect.right - 0.5, y, { steps: 4 });
  await page.mouse.up();
}

/** Opens the quick fix menu at the cursor and applies the action whose title contains `title`. */
async function quickFix(title) {
  await page.keyboard.press("Control+.");
  const item = page.locator(".action-widget .monaco-list-row", { hasText: title }).first();
  await item.waitFor({ timeout: PATIENCE });
  await screenshot("quick-fix-menu");
  // The menu takes the keyboard, as for a user: move to the action, then Enter.
  for (let step = 0; step < 20; step++) {
    const focused = page.locator(".action-widget .monaco-list-row.focused").first();
    if (((await focused.getAttribute("aria-label")) || "").includes(title)) {
      await page.keyboard.press("Enter");
      return;
    }
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`no quick fix titled ${title}`);
}

async function main() {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // The binary is missing: no `redline.path`, and none on PATH.
  writeSettings({});
  const browser = await chromium.launch({
    executablePath: env("REDLINE_CHROMIUM"),
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    await page.goto(`${env("REDLINE_URL")}/?folder=${encodeURIComponent(WORKSPACE)}`);
    await page.locator(".monaco-workbench").waitFor({ timeout: PATIENCE });

    // A `.tf` file in a stock profile is Plain Text, and still activates the extension.
    await openFile("main.tf");
    const language = await page.locator("#status\\.editor\\.mode").innerText();
    say(`language=${language.trim()}`);
    const failed = await until("the failed status", async () => {
      const text = await statusText();
      return text.includes("failed") ? text : "";
    });
    say(`status=${failed}`);
    await page.locator(".statusbar-item", { hasText: "redline" }).first().hover();
    const tooltip = await until("the status tooltip", async () => {
      const hover = page.locator(".monaco-hover:visible, .workbench-hover:visible").first();
      return (await hover.count()) ? (await hover.innerText()).trim() : "";
    });
    say(`status_tooltip=${tooltip}`);
    await page.locator(".statusbar-item", { hasText: "redline" }).first().click();
    const log = await until("the redline output", async () => {
      const text = (await page.locator(".part.panel").innerText().catch(() => "")).replace(/\u00a0/g, " ");
      return text.includes("cannot find") ? text : "";
    });
    say(`output_says_cannot_find=${log.includes("cannot find `redline`")}`);
    await screenshot("binary-missing");

    // Setting `redline.path` starts the server, without a reload.
    // In the Settings editor, as a user would.
    await page.keyboard.press("Escape");
    await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+,");
    await page.locator(".settings-editor").waitFor({ timeout: PATIENCE });
    await page.locator(".settings-editor .settings-header .monaco-editor").first().click();
    await page.keyboard.type("redline.path");
    // A machine-scoped setting lives in the settings of the machine VS Code runs the extension
    // on: code-server's "Remote" settings.
    await page.locator(".settings-editor .settings-tabs-widget .action-label", { hasText: "Remote" }).click();
    const input = page.locator('.settings-editor input[aria-label="redline.path"]').first();
    await input.waitFor({ timeout: 8000 }).catch(async (error) => { await screenshot("settings"); throw error; });
    await input.fill(env("REDLINE_BIN"));
    await screenshot("setting-path");
    const configured = Date.now();
    await input.press("Enter");
    await input.press("Tab");
    const running = await until("the running status", async () => {
      const text = await statusText();
      return /redline: [1-9]\d* finding/.test(text) ? text : "";
    });
    say(`status_after_path=${running.replace(/\d+ finding/, "N finding")}`);
    await page.locator(".tabs-container .tab", { hasText: "main.tf" }).first().click();
    await until("the squiggle under force_destroy = true", () => squiggleUnder("force_destroy = true"));
    timing("setting_path_to_first_squiggle", configured);
    say("squiggle=under `force_destroy = true`");
    await screenshot("first-squiggle");

    // The Problems panel gives the UTF-16 column: the line holds an emoji (two UTF-16 units)
    // and two CJK characters before the finding.
    say(`problem=${await problem("RL-TF-010", "[Ln 2, Col 38]")}`);
    await screenshot("problems");

    // Hover over the squiggle: the finding and the rule's documentation.
    const squiggle = await textRect("force_destroy = true");
    await page.mouse.move(squiggle.left + 20, (squiggle.top + squiggle.bottom) / 2);
    const hover = await until("the hover", async () => {
      const widget = page.locator(".monaco-hover:visible").first();
      const text = (await widget.count()) ? await widget.innerText() : "";
      // The finding, then the server's hover: the rule's documentation.
      return text.includes("RL-TF-010") && text.includes("force-destroy-enabled") ? text : "";
    });
    say(`hover_has_the_message=${hover.includes("destroying it also deletes every recovery point")}`);
    say(`hover_has_the_rule_page=${/RL-TF-010\W+force-destroy-enabled/.test(hover)}`);
    await screenshot("hover");
    await page.mouse.move(5, 5);
    await page.keyboard.press("Escape");

    // Ctrl+. on the finding: the quick fix changes the text, and the finding goes.
    await clickOn("force_destroy = true");
    await quickFix("force_destroy = false");
    const fixed = await until("the fixed text", async () => {
      const text = await editorText();
      return text.includes("force_destroy = false") ? text : "";
    });
    say(`fixed=${fixed.split("\n").find((line) => line.includes("force_destroy"))}`);
    await until("the squiggle to go", async () => (await squiggles()).length === 0);
    say("after_fix_squiggles=0");
    await screenshot("fixed");

    // Typing brings the finding back, and typing it away clears it.
    await select("false");
    const typed = Date.now();
    await page.keyboard.type("true");
    await until("the squiggle after typing", () => squiggleUnder("force_destroy = true"));
    timing("keystroke_to_squiggle", typed);
    await select("true", 0);
    const retyped = Date.now();
    await page.keyboard.type("false");
    await until("the squiggle to go after typing", async () => (await squiggles()).length === 0);
    timing("keystroke_to_clear", retyped);
    say("typed_away_squiggles=0");
    await page.keyboard.press("Control+s");

    // Renaming a committed resource asks for a `moved` block; the quick fix adds it.
    const opened = Date.now();
    await openFile("store.tf");
    await until("store.tf's text", async () => (await editorText()).includes("aws_s3_bucket"));
    timing("open_store_tf_to_text", opened);
    await select("logs", 0);
    await page.keyboard.type("archive");
    say(`rename_problem=${await problem("RL-TF-002", "[Ln 1, Col 26]", "`aws_s3_bucket.archive`")}`);
    await clickOn("archive");
    await quickFix("moved");
    const moved = await until("the moved block", async () => {
      const text = await editorText();
      return text.includes("moved {") ? text : "";
    });
    say(`moved=${moved.split("\n").filter((line) => /moved|from|to /.test(line)).join(" | ")}`);
    await screenshot("moved");

    // A 5,000-line file whose only error is near the end, after a thousand lesser findings.
    const bigOpened = Date.now();
    await openFile("big.tf");
    await page.locator(".editor-instance .monaco-editor .view-lines").click();
    await page.keyboard.press("Control+End");
    await until("the squiggle at the end of big.tf", () => squiggleUnder("force_destroy = true"));
    timing("open_big_tf_to_error_squiggle", bigOpened);
    say("big_error_squiggle=drawn");
    say(`big_problem=${await problem("RL-TF-010", "[Ln 4963, Col 3]")}`);
    await screenshot("big-file");
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
