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
  -- Buffers of these filetypes get the server (the first part of a compound filetype such as
  -- `yaml.gitlab` counts), and so do files that `redline check` reads by name (Makefiles,
  -- Dockerfiles, Containerfiles, agent configurations) whatever their filetype.
  filetypes = {
    "terraform",
    "terraform-vars",
    "hcl",
    "yaml",
    "json",
    "jsonc",
    "sh",
    "bash",
    "toml",
    "make",
    "dockerfile",
  },
  -- The nearest folder holding one of these is the workspace root; without one, the current
  -- folder when it holds the file, else the file has no workspace folder.
  root_markers = { ".git", "redline.toml" },
  -- Server settings, sent as `initializationOptions` and in `workspace/didChangeConfiguration`:
  -- { enable = true, severity = "info", rules = { disable = {}, severity = {} }, debounceMs = 100,
  --   scanWorkspace = true, infoAsHint = false }
  settings = {},
}

M.config = vim.deepcopy(M.defaults)

-- Client ids by root folder, for Neovim 0.7.
local clients_by_root = {}

-- Whether the user was told that the binary is missing; said once per session.
local told_missing = false

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

local function basename(path)
  return path:match("[^/]*$")
end

local function is_inside(path, folder)
  if folder == "/" then
    return path:sub(1, 1) == "/"
  end
  return path:sub(1, #folder + 1) == folder .. "/"
end

--- The workspace root of a file: the nearest folder with a root marker; else the current folder
--- when it holds the file; else `nil` (a single file, without workspace folder).
function M.root_dir(file)
  local cwd = uv.cwd()
  if file == "" then
    return cwd
  end
  local folder = parent(file)
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
  if is_inside(file, cwd) then
    return cwd
  end
  return nil
end

--- Whether `redline check` reads a file of this name whatever its filetype.
local function is_known_name(name)
  local lower = name:lower()
  return lower == "makefile"
    or lower == "gnumakefile"
    or lower:match("%.mk$") ~= nil
    or lower == "dockerfile"
    or lower == "containerfile"
    or lower:match("^dockerfile%.") ~= nil
    or lower:match("^containerfile%.") ~= nil
    or lower:match("%.dockerfile$") ~= nil
    or lower:match("%.containerfile$") ~= nil
    or lower:match("%.tf$") ~= nil
    or lower:match("%.tf%.json$") ~= nil
    or lower:match("%.tfvars$") ~= nil
    or lower:match("%.tfvars%.json$") ~= nil
end

--- Whether the server attaches to a buffer.
function M.attaches(bufnr)
  if vim.bo[bufnr].buftype ~= "" then
    return false
  end
  local filetype = vim.bo[bufnr].filetype
  local first = filetype:match("^[^.]*")
  for _, wanted in ipairs(M.config.filetypes) do
    if filetype == wanted or first == wanted then
      return true
    end
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  return name ~= "" and is_known_name(basename(name))
end

local function settings_for(root, rooted_by_marker)
  local settings = vim.deepcopy(M.config.settings)
  -- A folder without markers is scanned only when it is not the home folder or `/`: scanning
  -- every file under them is not what opening one file asks for.
  if not rooted_by_marker and settings.scanWorkspace == nil then
    local home = uv.os_homedir()
    if root == nil or root == "/" or root == home then
      settings.scanWorkspace = false
    end
  end
  return settings
end

local function client_config(root, rooted_by_marker)
  local settings = settings_for(root, rooted_by_marker)
  return {
    name = "redline",
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = root and { { uri = vim.uri_from_fname(root), name = root } } or nil,
    init_options = settings,
    settings = { redline = settings },
  }
end

--- Whether the server's command can run; says once how to fix it when it cannot.
local function executable()
  local program = M.config.cmd[1]
  if program ~= nil and vim.fn.executable(program) == 1 then
    return true
  end
  if not told_missing then
    told_missing = true
    vim.notify(
      string.format(
        "redline: cannot run `%s`: install redline (`cargo install --locked --path server/redline-cli` "
          .. "from its repository, or a release binary on your PATH), or point the plugin at it with "
          .. 'require("redline").setup({ cmd = { "/path/to/redline", "lsp" } })',
        tostring(program)
      ),
      vim.log.levels.WARN
    )
  end
  return false
end

--- Starts (or reuses) the server for a buffer.
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if not executable() then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = M.root_dir(name)
  local rooted_by_marker = root ~= nil and root ~= uv.cwd()
  if root ~= nil and not rooted_by_marker then
    for _, marker in ipairs(M.config.root_markers) do
      if exists(root .. "/" .. marker) then
        rooted_by_marker = true
      end
    end
  end
  local config = client_config(root, rooted_by_marker)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local key = root or ""
  local client_id = clients_by_root[key]
  if client_id == nil or vim.lsp.get_client_by_id(client_id) == nil then
    client_id = vim.lsp.start_client(config)
    clients_by_root[key] = client_id
  end
  if client_id then
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  return client_id
end

--- The running redline clients.
function M.clients()
  local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get_clients({ name = "redline" })
end

-- Neovim 0.11 made client methods take `self`; older versions take no `self`.
local function request(client, method, params, handler, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Configures the plugin and starts the server for matching buffers, including open ones.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  -- Lists replace the defaults rather than merge with them by index.
  if opts and opts.filetypes then
    M.config.filetypes = opts.filetypes
  end
  if opts and opts.root_markers then
    M.config.root_markers = opts.root_markers
  end
  local group = vim.api.nvim_create_augroup("redline", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "*",
    callback = function(args)
      if M.attaches(args.buf) then
        M.start(args.buf)
      end
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and M.attaches(bufnr) then
      M.start(bufnr)
    end
  end
  vim.api.nvim_create_user_command("RedlineExplain", function(command)
    M.explain(command.args)
  end, { nargs = 1, desc = "Show a redline rule's documentation" })
  vim.api.nvim_create_user_command("RedlineWorkspace", function()
    M.workspace()
  end, { nargs = 0, desc = "List redline's findings in every file of the workspace in the quickfix list" })
end

--- Shows a rule's documentation (`workspace/executeCommand` `redline.explain`) in a split.
function M.explain(rule)
  local client = M.clients()[1]
  if client == nil then
    vim.notify("redline: the server is not running", vim.log.levels.WARN)
    return
  end
  local params = { command = "redline.explain", arguments = { rule } }
  request(client, "workspace/executeCommand", params, function(err, result)
    if err then
      vim.notify("redline: " .. err.message, vim.log.levels.ERROR)
      return
    end
    vim.cmd("new")
    vim.bo.buftype = "nofile"
    vim.bo.filetype = "markdown"
    vim.api.nvim_buf_set_lines(0, 0, -1, false, vim.split(result, "\n"))
  end)
end

local QUICKFIX_TYPES = { "E", "W", "I", "N" }

-- The byte column of a protocol position on `line`, in the client's position encoding.
local function byte_col(line, character, encoding)
  if encoding == "utf-8" or line == nil then
    return character
  end
  local ok, col
  if vim.fn.has("nvim-0.11") == 1 then
    ok, col = pcall(vim.str_byteindex, line, encoding, character, false)
  else
    ok, col = pcall(vim.str_byteindex, line, character, encoding == "utf-16")
  end
  if ok then
    return col
  end
  return character
end

-- The lines of a file: its buffer's when it is loaded, else the file's.
local function file_lines(fname)
  local bufnr = vim.fn.bufnr(fname)
  if bufnr ~= -1 and vim.api.nvim_buf_is_loaded(bufnr) then
    return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  end
  local ok, lines = pcall(vim.fn.readfile, fname)
  return ok and lines or {}
end

--- Quickfix items for a `workspace/diagnostic` report, sorted by file and position.
function M.quickfix_items(report, encoding)
  local items = {}
  for _, document in ipairs(report.items or {}) do
    local fname = vim.uri_to_fname(document.uri)
    local lines
    for _, diagnostic in ipairs(document.items or {}) do
      lines = lines or file_lines(fname)
      local start = diagnostic.range.start
      local code = diagnostic.code and ("[" .. tostring(diagnostic.code) .. "] ") or ""
      table.insert(items, {
        filename = fname,
        lnum = start.line + 1,
        col = byte_col(lines[start.line + 1], start.character, encoding) + 1,
        type = QUICKFIX_TYPES[diagnostic.severity or 1] or "E",
        text = code .. diagnostic.message,
      })
    end
  end
  table.sort(items, function(a, b)
    if a.filename ~= b.filename then
      return a.filename < b.filename
    end
    if a.lnum ~= b.lnum then
      return a.lnum < b.lnum
    end
    return a.col < b.col
  end)
  return items
end

--- Fills the quickfix list with the findings of every file the server knows: the open buffers
--- and the files of the workspace scan (`workspace/diagnostic`), and opens it.
function M.workspace()
  local clients = M.clients()
  if #clients == 0 then
    vim.notify("redline: the server is not running", vim.log.levels.WARN)
    return
  end
  local items = {}
  local pending = #clients
  for _, client in ipairs(clients) do
    request(client, "workspace/diagnostic", { previousResultIds = {} }, function(err, result)
      if err then
        vim.notify("redline: " .. err.message, vim.log.levels.ERROR)
      else
        vim.list_extend(items, M.quickfix_items(result or {}, client.offset_encoding))
      end
      pending = pending - 1
      if pending == 0 then
        vim.fn.setqflist({}, " ", { title = "redline: workspace", items = items })
        vim.cmd("copen")
      end
    end)
  end
end

return M
