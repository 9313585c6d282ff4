-- Driven by tests/neovim.rs: nvim --headless --clean -l edit.lua <repo> <redline> <file> <line> <text>.
-- Opens a committed file, replaces line <line> (1-based) with <text>, waits for the finding
-- the edit introduces, applies its quick fix and waits for the finding to go.
-- Prints one line per check as `key=value`; any failure raises, which makes nvim exit non-zero.
local repo, redline, file, line, text = arg[1], arg[2], arg[3], tonumber(arg[4]), arg[5]

vim.opt.runtimepath:prepend(repo .. "/editors/neovim")
require("redline").setup({ cmd = { redline, "lsp" }, settings = { debounceMs = 0 } })

vim.cmd.edit(vim.fn.fnameescape(file))

local function wait_for(what, condition)
  if not vim.wait(30000, condition, 20) then
    error("timed out waiting for " .. what)
  end
end

local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
wait_for("the server", function()
  local client = get_clients({ name = "redline" })[1]
  return client ~= nil and client.initialized
end)
print("before=" .. #vim.diagnostic.get(0))

vim.api.nvim_buf_set_lines(0, line - 1, line, false, { text })
wait_for("the edit's diagnostics", function()
  return #vim.diagnostic.get(0) > 0
end)
for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
  print(string.format("diagnostic=%s %d:%d", diagnostic.code, diagnostic.lnum, diagnostic.col))
end

local first = vim.diagnostic.get(0)[1]
vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
local before = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
vim.lsp.buf.code_action({
  apply = true,
  -- The preferred fix of the first finding only, so that no menu opens.
  filter = function(action)
    return action.isPreferred == true
      and action.diagnostics ~= nil
      and action.diagnostics[1] ~= nil
      and action.diagnostics[1].code == first.code
  end,
})
wait_for("the quick fix", function()
  return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n") ~= before
end)
wait_for("the diagnostics to clear", function()
  return #vim.diagnostic.get(0) == 0
end)
print("remaining=" .. #vim.diagnostic.get(0))
for _, fixed in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
  print("fixed=" .. fixed)
end
