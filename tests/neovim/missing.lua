-- Driven by tests/neovim.rs: nvim --headless --clean -l missing.lua <repo> <file> <file>, with a
-- command that does not exist. Prints each message the plugin shows, then the number of clients.
local repo = arg[1]

local messages = {}
vim.notify = function(message, level)
  table.insert(messages, string.format("%d %s", level or 0, message))
end

vim.opt.runtimepath:prepend(repo .. "/editors/neovim")
require("redline").setup({ cmd = { "redline-not-installed", "lsp" } })
vim.cmd.edit(vim.fn.fnameescape(arg[2]))
vim.cmd.edit(vim.fn.fnameescape(arg[3]))
-- Give a failed start time to report itself, as Neovim's generic warning would.
vim.wait(200)
for _, message in ipairs(messages) do
  print("message=" .. message)
end
print("clients=" .. #require("redline").clients())
