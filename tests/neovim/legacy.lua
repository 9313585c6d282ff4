-- Driven by tests/neovim.rs on Neovim 0.7 (Debian 12), which has no `-l` and no
-- `vim.lsp.start`: nvim --headless --clean -c "luafile legacy.lua", with REDLINE_REPO,
-- REDLINE_BIN, REDLINE_FILE and REDLINE_OUT in the environment. Writes `key=value` lines to
-- REDLINE_OUT and exits non-zero on any failure.
local lines = {}
local function finish(code)
  local out = io.open(os.getenv("REDLINE_OUT"), "w")
  out:write(table.concat(lines, "\n") .. "\n")
  out:close()
  vim.cmd(code == 0 and "qa!" or "cquit!")
end

local ok, failure = pcall(function()
  vim.opt.runtimepath:prepend(os.getenv("REDLINE_REPO") .. "/editors/neovim")
  require("redline").setup({ cmd = { os.getenv("REDLINE_BIN"), "lsp" }, settings = { debounceMs = 0 } })
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("REDLINE_FILE")))
  table.insert(lines, "filetype=" .. vim.bo.filetype)
  assert(vim.wait(30000, function()
    return #vim.diagnostic.get(0) > 0
  end, 20), "timed out waiting for diagnostics")
  local client = vim.lsp.get_active_clients()[1]
  table.insert(lines, "client=" .. client.name .. " " .. client.offset_encoding)
  local diagnostic = vim.diagnostic.get(0)[1]
  table.insert(lines, string.format("diagnostic=%s %s %d:%d", diagnostic.source, diagnostic.code, diagnostic.lnum, diagnostic.col))

  -- Neovim 0.7 keeps no LSP range in `user_data`: ask for the actions at the cursor.
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = { diagnostics = {}, only = { "quickfix" } }
  local responses = vim.lsp.buf_request_sync(0, "textDocument/codeAction", params, 10000)
  local preferred
  for _, response in pairs(responses or {}) do
    if response.err then
      error("codeAction failed: " .. vim.inspect(response.err))
    end
    for _, action in ipairs(response.result or {}) do
      if action.isPreferred then
        preferred = action
      end
    end
  end
  assert(preferred, "no preferred quick fix in " .. vim.inspect(responses))
  vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding)
  table.insert(lines, "fixed=" .. vim.api.nvim_buf_get_lines(0, diagnostic.lnum, diagnostic.lnum + 1, false)[1])
  assert(vim.wait(30000, function()
    return #vim.diagnostic.get(0) == 0
  end, 20), "timed out waiting for the diagnostics to clear")
  table.insert(lines, "remaining=0")
end)
if not ok then
  table.insert(lines, "error=" .. tostring(failure))
  finish(1)
else
  finish(0)
end
