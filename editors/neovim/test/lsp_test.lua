-- The Neovim plugin against the real `ward lsp`, in a headless Neovim 0.11:
--   nvim --headless -u NONE -l editors/neovim/test/lsp_test.lua
-- (editors/neovim/test/run.sh builds what it needs and runs it). WARD_BIN
-- names the server binary.
local repo = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h:h')
local plugin = repo .. '/editors/neovim'
local parser_dir = vim.fn.tempname()

vim.opt.runtimepath:prepend(plugin)
vim.g.ward_server_path = vim.env.WARD_BIN or (repo .. '/target/debug/ward')
vim.cmd('runtime! plugin/ward.lua')
vim.cmd('runtime! ftdetect/ward.lua')
-- As in a default configuration: ftplugin/ward.lua runs on FileType.
vim.cmd('filetype plugin on')

local passed, failed = 0, 0
local function check(name, f)
  local ok, err = pcall(f)
  if ok then
    passed = passed + 1
    print('ok   ' .. name)
  else
    failed = failed + 1
    print('FAIL ' .. name .. ': ' .. tostring(err))
  end
end

local function wait_for(what, cond, ms)
  if not vim.wait(ms or 20000, cond, 50) then
    error('timed out waiting for ' .. what)
  end
end

--- Opens a file with the filetype set explicitly (`-u NONE` has no
--- filetype detection), which starts the server through vim.lsp.enable.
local function open(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(repo .. '/' .. path))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'ward'
  return buf
end

local function client_of(buf)
  local client
  wait_for('the ward client to attach', function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'ward' })[1]
    return client ~= nil and client.initialized
  end)
  return client
end

--- The 0-based position of `needle`'s first occurrence in the buffer.
local function find(buf, needle)
  for row, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return { line = row - 1, character = col - 1 }
    end
  end
  error('`' .. needle .. '` is not in the buffer')
end

check('the plugin registers the filetype, the server config and the commands', function()
  assert(vim.filetype.match({ filename = 'x.ward' }) == 'ward', 'ftdetect')
  local config = vim.lsp.config.ward
  assert(config and config.cmd[2] == 'lsp', 'lsp/ward.lua is on the runtimepath')
  assert(vim.deep_equal(config.filetypes, { 'ward' }))
  assert(vim.fn.exists(':WardRun') == 2 and vim.fn.exists(':WardSyntaxTree') == 2)
  assert(vim.lsp.commands['ward.run'] and vim.lsp.commands['ward.profile'])
end)

check('the tree-sitter parser builds and its queries highlight Ward', function()
  local ok, what = require('ward').build_parser(parser_dir)
  assert(ok, what)
  assert(require('ward').parser_available(), 'parser/ward.so is found on the runtimepath')
  local parser = vim.treesitter.get_string_parser('fn main() { let x = 1; }', 'ward')
  local tree = parser:parse()[1]
  assert(not tree:root():has_error())
  local query = vim.treesitter.query.get('ward', 'highlights')
  assert(query, 'queries/ward/highlights.scm is found')
  local captures = {}
  for id in query:iter_captures(tree:root(), 'fn main() { let x = 1; }') do
    captures[query.captures[id]] = true
  end
  assert(captures['keyword.function'] and captures['function'] and captures['number'], vim.inspect(captures))
  assert(vim.treesitter.query.get('ward', 'folds'), 'folds')
  assert(vim.treesitter.query.get('ward', 'indents'), 'indents')
end)

vim.lsp.enable('ward')
local errors = open('examples/borrow_errors.ward')
local client

check('diagnostics arrive with their codes', function()
  client = client_of(errors)
  wait_for('diagnostics', function()
    return #vim.diagnostic.get(errors) > 0
  end)
  local codes = {}
  for _, d in ipairs(vim.diagnostic.get(errors)) do
    codes[d.code] = (codes[d.code] or 0) + 1
  end
  assert(codes.W0382 == 2, vim.inspect(codes))
  assert(codes.W0499 and codes.W0502, vim.inspect(codes))
  assert(vim.api.nvim_buf_is_loaded(errors) and vim.treesitter.highlighter.active[errors], 'tree-sitter highlighting started')
end)

check('hover shows the ownership state', function()
  local at = find(errors, 'consume(p)')
  at.character = at.character + #'consume('
  local response = client:request_sync('textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(errors) },
    position = at,
  }, 10000, errors)
  assert(response and not response.err, vim.inspect(response))
  local value = response.result.contents.value
  assert(value:find('let p: Patient', 1, true), value)
  assert(value:find('**moved here**', 1, true), value)
end)

check('inlay hints are returned', function()
  assert(vim.lsp.inlay_hint.is_enabled({ bufnr = errors }), 'on_attach enables inlay hints')
  local hints
  wait_for('inlay hints', function()
    hints = vim.lsp.inlay_hint.get({ bufnr = errors })
    return #hints > 0
  end)
  local labels = {}
  for _, h in ipairs(hints) do
    local label = h.inlay_hint.label
    if type(label) == 'table' then
      label = table.concat(vim.tbl_map(function(part)
        return part.value
      end, label))
    end
    labels[#labels + 1] = label
  end
  local text = table.concat(labels, ' ')
  assert(text:find(': Patient', 1, true), text)
end)

check('the Run lens runs the program and its output fills the split', function()
  local vitals = open('examples/vitals_monitor.ward')
  local vclient = client_of(vitals)
  local lenses
  wait_for('code lenses', function()
    lenses = vim.lsp.codelens.get(vitals)
    return #lenses > 0
  end)
  local run
  for _, lens in ipairs(lenses) do
    if lens.command and lens.command.command == 'ward.run' then
      run = lens.command
    end
  end
  assert(run, vim.inspect(lenses))
  vclient:exec_cmd(run, { bufnr = vitals })
  wait_for('the run to finish', function()
    return vim.tbl_contains(
      vim.tbl_map(function(l)
        return l:match('^exit code') ~= nil
      end, require('ward').output_lines()),
      true
    )
  end)
  local out = table.concat(require('ward').output_lines(), '\n')
  assert(out:find('bed-02   HR 131', 1, true), out)
  assert(out:find('discarding implausible reading from bed-05', 1, true), out)
  assert(out:find('exit code 0', 1, true), out)
  local win = vim.fn.bufwinid(vim.fn.bufnr('ward://output'))
  assert(win ~= -1, 'the output split is open')
end)

check(':WardProfile shows the function table and GC pauses', function()
  vim.cmd('WardProfile')
  wait_for('the profile', function()
    for _, l in ipairs(require('ward').output_lines()) do
      if l:match('^GC: ') then
        return true
      end
    end
    return false
  end)
  local out = table.concat(require('ward').output_lines(), '\n')
  assert(out:find('function%s+calls%s+total ms'), out)
  assert(out:find('\nmain%s+1 '), out)
end)

check(':WardSyntaxTree opens the tree', function()
  vim.cmd('WardSyntaxTree')
  wait_for('the tree window', function()
    return vim.bo.filetype == 'query'
  end)
  local first = vim.api.nvim_buf_get_lines(0, 0, 1, false)[1]
  assert(first:match('^%(source_file %[0, 0%]'), first)
end)

print(string.format('%d passed, %d failed', passed, failed))
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop(true)
end
os.exit(failed == 0 and 0 or 1)
