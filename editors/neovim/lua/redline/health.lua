-- `:checkhealth redline`: the binary, its version, and the running servers.

local M = {}

-- Neovim 0.10 and later have `vim.health.start`; 0.8 and 0.9 `vim.health.report_start`; 0.7
-- the `health` module.
local health = vim.health or require("health")
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

function M.check()
  local redline = require("redline")
  start("redline")
  local cmd = redline.config.cmd or {}
  local program = cmd[1]
  if program == nil or vim.fn.executable(program) ~= 1 then
    error(string.format("`%s` is not executable", tostring(program)), {
      "Install redline: `cargo install --locked --path server/redline-cli` from its repository, or a release binary on your PATH.",
      'Or point the plugin at it: require("redline").setup({ cmd = { "/path/to/redline", "lsp" } })',
    })
  else
    ok(string.format("binary: %s", vim.fn.exepath(program)))
    local version = vim.fn.system({ program, "--version" })
    if vim.v.shell_error == 0 then
      ok("version: " .. (vim.split(version, "\n")[1] or version))
    else
      warn("`" .. program .. " --version` failed: " .. version)
    end
  end

  local clients = redline.clients()
  if #clients == 0 then
    warn("no redline server is running", {
      "Open a Terraform, YAML, JSON, shell, Makefile or Dockerfile buffer after calling require(\"redline\").setup().",
    })
    return
  end
  for _, client in ipairs(clients) do
    local folders = {}
    for _, folder in ipairs(client.workspace_folders or {}) do
      table.insert(folders, vim.uri_to_fname(folder.uri))
    end
    local root = #folders > 0 and table.concat(folders, ", ") or "none (single files)"
    ok(string.format("server %d running: root %s, encoding %s", client.id, root, client.offset_encoding))
  end
  info("settings: " .. vim.inspect(redline.config.settings, { newline = " ", indent = "" }))
end

return M
