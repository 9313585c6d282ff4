-- Nothing starts until `require("redline").setup({...})` is called, so that users choose the
-- command and settings first.
if vim.g.loaded_redline then
  return
end
vim.g.loaded_redline = true
