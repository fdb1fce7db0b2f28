-- Ward: commands, the client side of the Run / Profile lenses, and the
-- tree-sitter parser's registration. The server is enabled by the user's
-- `vim.lsp.enable('ward')` (see lsp/ward.lua).
if vim.g.loaded_ward then
  return
end
vim.g.loaded_ward = true

require('ward').setup_commands()
