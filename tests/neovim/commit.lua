-- Driven by tests/neovim.rs: nvim --headless --clean -l commit.lua <repo> <redline> <file>, on a
-- committed Terraform file. Renames its resource (an edit that asks for a `moved` block), saves,
-- commits in a "terminal" (`git commit` run beside Neovim), and waits for the finding to go
-- without touching the buffer.
-- Prints one line per check as `key=value`, and `timing …` lines; any failure raises.
local repo, redline, file = arg[1], arg[2], arg[3]

vim.opt.runtimepath:prepend(repo .. "/editors/neovim")
require("redline").setup({ cmd = { redline, "lsp" }, settings = { debounceMs = 0 } })

local hrtime = (vim.uv or vim.loop).hrtime
local function wait_for(what, condition)
  if not vim.wait(30000, condition, 10) then
    error("timed out waiting for " .. what)
  end
end

local opened = hrtime()
vim.cmd.edit(vim.fn.fnameescape(file))
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
wait_for("the server", function()
  local client = get_clients({ name = "redline" })[1]
  return client ~= nil and client.initialized
end)
print("before=" .. #vim.diagnostic.get(0))

local typed = hrtime()
vim.api.nvim_buf_set_lines(0, 0, 1, false, { 'resource "aws_s3_bucket" "archive" {' })
wait_for("the rename's finding", function()
  return #vim.diagnostic.get(0) > 0
end)
print(string.format("timing keystroke_to_finding_ms=%.1f", (hrtime() - typed) / 1e6))
for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
  print(string.format("diagnostic=%s %d:%d", diagnostic.code, diagnostic.lnum, diagnostic.col))
end
local version = vim.lsp.util.buf_versions[vim.api.nvim_get_current_buf()]

vim.cmd("silent write")
local committed = hrtime()
local output = vim.fn.system({ "git", "commit", "-q", "-am", "rename" })
assert(vim.v.shell_error == 0, "git commit failed: " .. output)
wait_for("the finding to go after the commit", function()
  return #vim.diagnostic.get(0) == 0
end)
print(string.format("timing commit_to_update_ms=%.1f", (hrtime() - committed) / 1e6))
print("after_commit=" .. #vim.diagnostic.get(0))
print("buffer_unchanged=" .. tostring(vim.lsp.util.buf_versions[vim.api.nvim_get_current_buf()] == version))
print(string.format("timing open_to_ready_ms=%.1f", (typed - opened) / 1e6))
