-- Driven by tests/neovim.rs: nvim --headless --clean -l workspace.lua <repo> <redline>, in a
-- folder that is not a git repository and has no redline.toml, holding a workflow, a Makefile
-- and a Terraform file that is never opened.
-- Prints one line per check as `key=value`; any failure raises, which makes nvim exit non-zero.
local repo, redline = arg[1], arg[2]

vim.opt.runtimepath:prepend(repo .. "/editors/neovim")
require("redline").setup({ cmd = { redline, "lsp" }, settings = { debounceMs = 0 } })

-- Written straight to standard output: `print` shares the message line with `:checkhealth`.
local function say(line)
  io.stdout:write(line, "\n")
end

local function wait_for(what, condition)
  if not vim.wait(30000, condition, 20) then
    error("timed out waiting for " .. what)
  end
end

local function show_diagnostics()
  wait_for("diagnostics in " .. vim.fn.expand("%:."), function()
    return #vim.diagnostic.get(0) > 0
  end)
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    say(string.format("diagnostic=%s %s %d:%d", vim.fn.expand("%:."), diagnostic.code, diagnostic.lnum, diagnostic.col))
  end
end

local cwd = vim.fn.getcwd()
vim.cmd.edit(".github/workflows/ci.yml")
show_diagnostics()
vim.cmd.edit("Makefile")
say("filetype=" .. vim.bo.filetype)
show_diagnostics()

-- One server, whose workspace folder is the current folder.
local clients = require("redline").clients()
say("clients=" .. #clients)
for _, folder in ipairs(clients[1].workspace_folders or {}) do
  say("root_is_cwd=" .. tostring(vim.uri_to_fname(folder.uri) == cwd))
end

local health = {}
vim.cmd("silent checkhealth redline")
for _, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
  local report = line:match("(OK .*)$") or line:match("(ERROR .*)$") or line:match("(WARNING .*)$")
  if report then
    report = report:gsub(vim.pesc(redline), "REDLINE"):gsub(vim.pesc(cwd), "CWD"):gsub("server %d+", "server N")
    table.insert(health, "health=" .. report)
  end
end

-- The workspace scan found the Terraform file that is not open.
vim.cmd("RedlineWorkspace")
wait_for("the quickfix list", function()
  for _, item in ipairs(vim.fn.getqflist()) do
    if vim.fn.bufname(item.bufnr):match("main%.tf$") then
      return true
    end
  end
  return false
end)
for _, item in ipairs(vim.fn.getqflist()) do
  local name = vim.fn.fnamemodify(vim.fn.bufname(item.bufnr), ":.")
  say(string.format("quickfix=%s:%d:%d %s %s", name, item.lnum, item.col, item.type, item.text:match("^%[[^%]]*%]")))
end

for _, line in ipairs(health) do
  say(line)
end
