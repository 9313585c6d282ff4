-- Driven by tests/neovim.rs: nvim --headless --clean -l e2e.lua <repo> <redline> <file>.
-- Prints one line per check as `key=value`; any failure raises, which makes nvim exit non-zero.
local repo, redline, file = arg[1], arg[2], arg[3]

vim.opt.runtimepath:prepend(repo .. "/editors/neovim")
require("redline").setup({ cmd = { redline, "lsp" }, settings = { debounceMs = 0 } })

local hrtime = (vim.uv or vim.loop).hrtime
local opened = hrtime()
vim.cmd.edit(vim.fn.fnameescape(file))
print("filetype=" .. vim.bo.filetype)

local function wait_for(what, condition)
  if not vim.wait(30000, condition, 10) then
    error("timed out waiting for " .. what)
  end
end

wait_for("diagnostics", function()
  return #vim.diagnostic.get(0) > 0
end)
print(string.format("timing open_to_first_diagnostic_ms=%.1f", (hrtime() - opened) / 1e6))
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
local client = get_clients({ name = "redline" })[1]
print("offset_encoding=" .. client.offset_encoding)
for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
  print(string.format(
    "diagnostic=%s %s %d:%d-%d:%d",
    diagnostic.source,
    diagnostic.code,
    diagnostic.lnum,
    diagnostic.col,
    diagnostic.end_lnum,
    diagnostic.end_col
  ))
end

-- Apply the preferred quick fix through the regular code action entry point.
local first = vim.diagnostic.get(0)[1]
vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
local before = vim.api.nvim_buf_get_lines(0, first.lnum, first.lnum + 1, false)[1]
local fixing = hrtime()
vim.lsp.buf.code_action({
  apply = true,
  filter = function(action)
    return action.isPreferred == true
  end,
})
wait_for("the quick fix", function()
  return vim.api.nvim_buf_get_lines(0, first.lnum, first.lnum + 1, false)[1] ~= before
end)
print("fixed=" .. vim.api.nvim_buf_get_lines(0, first.lnum, first.lnum + 1, false)[1])
wait_for("the diagnostics to clear", function()
  return #vim.diagnostic.get(0) == 0
end)
print(string.format("timing fix_to_update_ms=%.1f", (hrtime() - fixing) / 1e6))
print("remaining=" .. #vim.diagnostic.get(0))

-- `:RedlineExplain` opens the rule's documentation.
vim.cmd("RedlineExplain force-destroy-enabled")
wait_for("the explanation", function()
  return vim.bo.filetype == "markdown"
end)
print("explain=" .. vim.api.nvim_buf_get_lines(0, 0, 1, false)[1])
