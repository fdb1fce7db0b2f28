-- The `ward lsp` server for Neovim 0.11+ (`:help lsp-config`):
--   vim.lsp.enable('ward')
-- and, to change anything here:
--   vim.lsp.config('ward', { init_options = { run = { timeoutMs = 30000 } } })
local ward = require('ward')

---@type vim.lsp.Config
return {
  cmd = { ward.server_path(), 'lsp' },
  filetypes = { 'ward' },
  root_markers = { '.git' },
  -- The server's settings: the same object as VS Code's `ward.*` settings.
  init_options = {
    inlayHints = { types = true, lifetimes = 'skipTrivial', drops = false, capabilities = true, zones = true },
    -- Add `allow = { 'fs', 'clock' }` to `run` to grant capabilities to runs
    -- (an empty Lua table would be sent as a JSON object, so none is set).
    run = { enabled = true, timeoutMs = 10000, maxHeapMb = 0 },
  },
  -- This plugin shows `ward/runOutput` (otherwise the server sends a run's
  -- outcome as a message).
  capabilities = vim.tbl_deep_extend(
    'force',
    vim.lsp.protocol.make_client_capabilities(),
    { experimental = { wardRunOutput = true } }
  ),
  handlers = {
    ['ward/runOutput'] = ward.on_run_output,
  },
  on_attach = ward.on_attach,
}
