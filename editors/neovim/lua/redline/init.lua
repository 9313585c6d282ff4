-- redline for Neovim: starts `redline lsp` for infrastructure-as-code buffers.
--
-- Neovim 0.8 and later use `vim.lsp.start`, which reuses one client per root folder.
-- Neovim 0.7 (Debian 12) has only `vim.lsp.start_client`, so the plugin keeps that reuse itself.

local M = {}

local uv = vim.uv or vim.loop

--- Defaults; `setup` merges the user's options over them.
M.defaults = {
  -- The command that starts the server.
  cmd = { "redline", "lsp" },
  -- Buffers of these filetypes get the server.
  filetypes = { "terraform", "hcl", "terraform-vars", "yaml", "json", "sh", "bash", "toml" },
  -- The nearest folder holding one of these is the workspace root.
  root_markers = { "redline.toml", ".git" },
  -- Server settings, sent as `initializationOptions` and in `workspace/didChangeConfiguration`:
  -- { enable = true, severity = "info", rules = { disable = {}, severity = {} }, debounceMs = 100 }
  settings = {},
}

M.config = vim.deepcopy(M.defaults)

-- Client ids by root folder, for Neovim 0.7.
local clients_by_root = {}

local function is_dir(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type == "directory"
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function parent(path)
  local res = path:match("^(.*)/[^/]*$")
  if res == "" then
    return "/"
  end
  return res
end

--- The workspace root of a file: the nearest folder with a root marker, else the file's folder.
function M.root_dir(file)
  local start = file ~= "" and parent(file) or uv.cwd()
  local folder = start
  while folder and folder ~= "" do
    for _, marker in ipairs(M.config.root_markers) do
      if exists(folder .. "/" .. marker) then
        return folder
      end
    end
    if folder == "/" then
      break
    end
    folder = parent(folder)
  end
  if is_dir(start) then
    return start
  end
  return uv.cwd()
end

local function client_config(root)
  return {
    name = "redline",
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = M.config.settings,
    settings = { redline = M.config.settings },
  }
end

--- Starts (or reuses) the server for a buffer.
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr))
  if vim.lsp.start then
    return vim.lsp.start(client_config(root), { bufnr = bufnr })
  end
  local client_id = clients_by_root[root]
  if client_id == nil or vim.lsp.get_client_by_id(client_id) == nil then
    client_id = vim.lsp.start_client(client_config(root))
    clients_by_root[root] = client_id
  end
  if client_id then
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  return client_id
end

--- Configures the plugin and starts the server for matching buffers, including open ones.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  local group = vim.api.nvim_create_augroup("redline", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.start(args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr)
    end
  end
  vim.api.nvim_create_user_command("RedlineExplain", function(command)
    M.explain(command.args)
  end, { nargs = 1, desc = "Show a redline rule's documentation" })
end

--- Shows a rule's documentation (`workspace/executeCommand` `redline.explain`) in a split.
function M.explain(rule)
  local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
  local client = get_clients({ name = "redline" })[1]
  if client == nil then
    vim.notify("redline: the server is not running", vim.log.levels.WARN)
    return
  end
  local params = { command = "redline.explain", arguments = { rule } }
  local function show(err, result)
    if err then
      vim.notify("redline: " .. err.message, vim.log.levels.ERROR)
      return
    end
    vim.cmd("new")
    vim.bo.buftype = "nofile"
    vim.bo.filetype = "markdown"
    vim.api.nvim_buf_set_lines(0, 0, -1, false, vim.split(result, "\n"))
  end
  -- Neovim 0.11 made client methods take `self`; older versions take no `self`.
  if vim.fn.has("nvim-0.11") == 1 then
    client:request("workspace/executeCommand", params, show)
  else
    client.request("workspace/executeCommand", params, show)
  end
end

return M
