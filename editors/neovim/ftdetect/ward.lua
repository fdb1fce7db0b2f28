vim.filetype.add({ extension = { ward = 'ward' } })
