-- Ward for Neovim: where the server is, the Run / Profile commands and
-- their output split, Show Syntax Tree, and the tree-sitter parser. No
-- language logic lives here: everything is asked of `ward lsp`.
local M = {}

local RUN_COMMANDS = { 'ward.run', 'ward.profile', 'ward.runTest' }

--- The plugin's folder (editors/neovim) and the repository around it.
local plugin_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h')
local repo_dir = vim.fn.fnamemodify(plugin_dir, ':h:h')

--- The `ward` executable: `vim.g.ward_server_path`, then `ward` on PATH,
--- then a build in the repository the plugin came from.
function M.server_path()
  local set = vim.g.ward_server_path
  if type(set) == 'string' and set ~= '' then
    return vim.fn.expand(set)
  end
  if vim.fn.executable('ward') == 1 then
    return 'ward'
  end
  for _, build in ipairs({ 'release', 'debug' }) do
    local path = repo_dir .. '/target/' .. build .. '/ward'
    if vim.fn.executable(path) == 1 then
      return path
    end
  end
  return 'ward'
end

-- Run output ---------------------------------------------------------------

local output = { buf = nil, ns = vim.api.nvim_create_namespace('ward_output') }

--- The output buffer, shown in a split at the bottom if it is not visible.
local function output_buffer()
  if not (output.buf and vim.api.nvim_buf_is_valid(output.buf)) then
    output.buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(output.buf, 'ward://output')
    vim.bo[output.buf].filetype = 'wardoutput'
  end
  if vim.fn.bufwinid(output.buf) == -1 then
    local previous = vim.api.nvim_get_current_win()
    vim.cmd('botright 12split')
    vim.api.nvim_win_set_buf(0, output.buf)
    vim.wo.number = false
    vim.wo.winfixheight = true
    vim.api.nvim_set_current_win(previous)
  end
  return output.buf
end

--- Appends text that may end mid-line (output arrives in pieces).
local function append(text, highlight)
  local buf = output_buffer()
  local lines = vim.split(text, '\n', { plain = true })
  local last = vim.api.nvim_buf_line_count(buf)
  local tail = vim.api.nvim_buf_get_lines(buf, last - 1, last, false)[1] or ''
  local start_col = #tail
  lines[1] = tail .. lines[1]
  vim.api.nvim_buf_set_lines(buf, last - 1, last, false, lines)
  if highlight then
    for i = 0, #lines - 1 do
      local row = last - 1 + i
      local from = i == 0 and start_col or 0
      local line = lines[i + 1]
      if #line > from then
        vim.api.nvim_buf_set_extmark(buf, output.ns, row, from, {
          end_col = #line,
          hl_group = highlight,
        })
      end
    end
  end
  local win = vim.fn.bufwinid(buf)
  if win ~= -1 then
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

local function append_line(text, highlight)
  local buf = output_buffer()
  local last = vim.api.nvim_buf_get_lines(buf, -2, -1, false)[1] or ''
  append((last == '' and '' or '\n') .. text .. '\n', highlight)
end

--- The whole output so far (for tests and for `:WardOutput`).
function M.output_lines()
  if not (output.buf and vim.api.nvim_buf_is_valid(output.buf)) then
    return {}
  end
  return vim.api.nvim_buf_get_lines(output.buf, 0, -1, false)
end

-- Output notifications and a command's result travel separately, and the
-- result can overtake the last pieces of output. The result carries the
-- whole output, so a run's footer waits until that much has arrived.
local runs = {} -- run id -> { received = bytes, expected = bytes?, footer = fn? }

local function run_state(id)
  runs[id] = runs[id] or { received = 0 }
  return runs[id]
end

local function flush_footer(id, anyway)
  local run = runs[id]
  if not (run and run.footer) or (not anyway and run.received < run.expected) then
    return
  end
  runs[id] = nil
  run.footer()
end

--- `ward/runOutput`: a piece of a running program's stdout or stderr.
function M.on_run_output(_, params)
  if type(params) ~= 'table' or type(params.text) ~= 'string' then
    return
  end
  local text = params.text
  if type(params.task) == 'number' then
    -- Lines of a task other than `main`: marked with its number.
    text = text:gsub('([^\n]+)', '[task ' .. params.task .. '] %1')
  end
  append(text, params.stream == 'stderr' and 'ErrorMsg' or nil)
  if params.runId then
    local run = run_state(params.runId)
    run.received = run.received + #params.text
    flush_footer(params.runId, false)
  end
end

local function profile_lines(profile)
  local lines = {
    string.format('%-24s %8s %11s %11s %8s', 'function', 'calls', 'total ms', 'self ms', 'allocs'),
  }
  for _, f in ipairs(profile.functions or {}) do
    table.insert(
      lines,
      string.format(
        '%-24s %8d %11.3f %11.3f %8d',
        f.name,
        f.calls,
        f.totalMs,
        f.selfMs,
        f.allocations
      )
    )
  end
  local gc = profile.gc or {}
  table.insert(
    lines,
    string.format(
      'GC: %d pauses (%d young, %d old), total %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms',
      gc.count or 0,
      gc.youngCollections or 0,
      gc.oldCollections or 0,
      gc.totalMs or 0,
      gc.p50Ms or 0,
      gc.p99Ms or 0,
      gc.maxMs or 0
    )
  )
  local buckets = {}
  for i, b in ipairs(gc.histogram or {}) do
    if b.count > 0 then
      local bound = b.upToMs
      local label
      if bound == nil or bound == vim.NIL then
        local before = (gc.histogram[i - 1] or {}).upToMs
        label = '>' .. ((type(before) == 'number') and string.format('%gms', before) or '')
      else
        label = string.format('<=%gms', bound)
      end
      table.insert(buckets, string.format('%s: %d', label, b.count))
    end
  end
  if #buckets > 0 then
    table.insert(lines, 'GC pause histogram: ' .. table.concat(buckets, ', '))
  end
  if type(profile.tasks) == 'table' and #profile.tasks > 0 then
    table.insert(
      lines,
      string.format('%-10s %-24s %-8s %11s %8s %10s %11s', 'task', 'runs', 'priority', 'worker ms', 'resumed', 'GC pauses', 'GC max ms')
    )
    for _, t in ipairs(profile.tasks) do
      table.insert(
        lines,
        string.format(
          '%-10s %-24s %-8s %11.3f %8d %10d %11.3f',
          t.id == 0 and 'main' or ('task ' .. t.id),
          t.body or '?',
          t.priority or '?',
          t.runMs or 0,
          t.resumes or 0,
          t.gcPauses or 0,
          t.gcMaxMs or 0
        )
      )
    end
  end
  return lines
end

--- Runs a Run / Profile / Run test command on the server, its output
--- streaming into the split.
function M.execute(client, command, bufnr)
  local args = command.arguments or {}
  local file = vim.uri_to_fname(args[1] or '')
  append_line(
    string.format('%s %s (%s)', command.title or command.command, args[2] or '?', vim.fn.fnamemodify(file, ':~:.')),
    'Title'
  )
  client:request('workspace/executeCommand', {
    command = command.command,
    arguments = command.arguments,
  }, function(err, result)
    if err then
      append_line('error: ' .. (err.message or vim.inspect(err)), 'ErrorMsg')
      return
    end
    if type(result) ~= 'table' or result.runId == nil then
      return
    end
    local run = run_state(result.runId)
    run.expected = #(result.stdout or '') + #(result.stderr or '')
    run.footer = function()
      local status = string.format('exit code %d in %.1f ms', result.exitCode or -1, result.durationMs or 0)
      if result.stopped then
        status = status .. ' (' .. result.stopped .. ')'
      end
      append_line(status, (result.exitCode == 0) and 'Comment' or 'ErrorMsg')
      if result.profile then
        for _, line in ipairs(profile_lines(result.profile)) do
          append_line(line)
        end
      end
    end
    flush_footer(result.runId, false)
    vim.defer_fn(function()
      flush_footer(result.runId, true)
    end, 2000)
  end, bufnr)
end

-- Commands -----------------------------------------------------------------

--- The current buffer and its ward client, or nil after saying why not.
local function current_client()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = 'ward' })[1]
  if not client then
    vim.notify('ward: no language server is attached to this buffer', vim.log.levels.WARN)
  end
  return bufnr, client
end

local function run_current(command, function_name)
  local bufnr, client = current_client()
  if not client then
    return
  end
  M.execute(client, {
    title = command == 'ward.profile' and '⏱ Profile' or '▶ Run',
    command = command,
    arguments = { vim.uri_from_bufnr(bufnr), function_name ~= '' and function_name or 'main' },
  }, bufnr)
end

--- Opens the server's syntax tree of the current buffer in a split.
function M.show_syntax_tree()
  local bufnr, client = current_client()
  if not client then
    return
  end
  client:request('ward/syntaxTree', { textDocument = vim.lsp.util.make_text_document_params(bufnr) }, function(err, tree)
    if err or type(tree) ~= 'string' then
      vim.notify('ward: no syntax tree: ' .. (err and err.message or 'the document is not open'), vim.log.levels.WARN)
      return
    end
    vim.cmd('vertical new')
    local buf = vim.api.nvim_get_current_buf()
    vim.bo[buf].buftype = 'nofile'
    vim.bo[buf].bufhidden = 'wipe'
    vim.bo[buf].filetype = 'query'
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(tree, '\n', { plain = true }))
    vim.bo[buf].modifiable = false
  end, bufnr)
end

-- The tree-sitter parser ---------------------------------------------------

--- Whether Neovim can load the Ward parser (`parser/ward.so` on the
--- runtimepath).
function M.parser_available()
  local ok, loaded = pcall(vim.treesitter.language.add, 'ward')
  return ok and loaded == true
end

--- Compiles tree-sitter-grammar/ into `parser/ward.so` under `dir`
--- (default: the site folder of `stdpath('data')`, on the runtimepath).
function M.build_parser(dir)
  dir = dir or (vim.fn.stdpath('data') .. '/site')
  local grammar = vim.g.ward_grammar_dir or (repo_dir .. '/tree-sitter-grammar')
  local src = grammar .. '/src'
  if vim.fn.filereadable(src .. '/parser.c') == 0 then
    return false, 'no grammar at ' .. grammar .. ' (set vim.g.ward_grammar_dir)'
  end
  vim.fn.mkdir(dir .. '/parser', 'p')
  local cc = vim.env.CC or 'cc'
  local result = vim
    .system({
      cc,
      '-o',
      dir .. '/parser/ward.so',
      '-shared',
      '-fPIC',
      '-O2',
      '-I',
      src,
      src .. '/parser.c',
      src .. '/scanner.c',
    }, { text = true })
    :wait()
  if result.code ~= 0 then
    return false, result.stderr
  end
  local so = dir .. '/parser/ward.so'
  -- Loaded now: a folder new to the runtimepath is only searched after
  -- the runtimepath changes again.
  local ok, loaded, err = pcall(vim.treesitter.language.add, 'ward', { path = so })
  if not (ok and loaded) then
    return false, tostring(err or loaded)
  end
  return true, so
end

--- Registers the parser with nvim-treesitter's installer where that is
--- present, so `:TSInstall ward` works too.
local function register_with_nvim_treesitter()
  local ok, parsers = pcall(require, 'nvim-treesitter.parsers')
  if not ok or type(parsers.get_parser_configs) ~= 'function' then
    return
  end
  parsers.get_parser_configs().ward = {
    install_info = {
      url = vim.g.ward_grammar_dir or (repo_dir .. '/tree-sitter-grammar'),
      files = { 'src/parser.c', 'src/scanner.c' },
    },
    filetype = 'ward',
  }
end

-- Attaching ----------------------------------------------------------------

--- Inlay hints on, and code lenses kept fresh, in each Ward buffer.
function M.on_attach(client, bufnr)
  if client:supports_method('textDocument/inlayHint') then
    vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  end
  if client:supports_method('textDocument/codeLens') then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'TextChanged' }, {
      buffer = bufnr,
      group = vim.api.nvim_create_augroup('ward_codelens_' .. bufnr, { clear = true }),
      callback = function()
        vim.lsp.codelens.refresh({ bufnr = bufnr })
      end,
    })
  end
end

function M.setup_commands()
  -- The lenses' commands run here, not on a bare executeCommand, so that
  -- their output lands in the split.
  for _, name in ipairs(RUN_COMMANDS) do
    vim.lsp.commands[name] = function(command, ctx)
      local client = vim.lsp.get_client_by_id(ctx.client_id)
      if client then
        M.execute(client, command, ctx.bufnr)
      end
    end
  end
  vim.api.nvim_create_user_command('WardRun', function(o)
    run_current('ward.run', o.args)
  end, { nargs = '?', desc = 'Run main (or the named function) of this Ward file' })
  vim.api.nvim_create_user_command('WardProfile', function(o)
    run_current('ward.profile', o.args)
  end, { nargs = '?', desc = 'Profile main (or the named function) of this Ward file' })
  vim.api.nvim_create_user_command('WardSyntaxTree', M.show_syntax_tree, { desc = 'Show the syntax tree' })
  vim.api.nvim_create_user_command('WardBuildParser', function()
    local ok, what = M.build_parser()
    if ok then
      vim.notify('ward: built ' .. what .. '; reopen Ward buffers to highlight them')
    else
      vim.notify('ward: cannot build the parser: ' .. what, vim.log.levels.ERROR)
    end
  end, { desc = 'Compile the Ward tree-sitter parser' })
  vim.treesitter.language.register('ward', 'ward')
  register_with_nvim_treesitter()
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'ward',
    once = true,
    callback = function()
      local path = M.server_path()
      if vim.fn.executable(path) == 0 then
        vim.notify(
          'ward: the `ward` server was not found. Build it (cargo install --path server in the Ward repository) '
            .. 'or set vim.g.ward_server_path.',
          vim.log.levels.WARN
        )
      end
    end,
  })
end

return M
