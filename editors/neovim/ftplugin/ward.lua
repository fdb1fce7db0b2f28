-- Buffer settings for Ward files, and tree-sitter highlighting when the
-- parser is installed (`:WardBuildParser` builds it).
vim.bo.commentstring = '// %s'
vim.bo.comments = ':///,://'
vim.bo.shiftwidth = 4
vim.bo.tabstop = 4
vim.bo.expandtab = true

if require('ward').parser_available() then
  pcall(vim.treesitter.start)
end

vim.b.undo_ftplugin = (vim.b.undo_ftplugin or '')
  .. '\n setlocal commentstring< comments< shiftwidth< tabstop< expandtab<'
