; Generated from tree-sitter-grammar/queries/textobjects.scm by
; tests/src/editor_queries.rs: edit that file, then run
; UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries

; Text objects, with nvim-treesitter-textobjects capture names (`.inner`,
; `.outer`); the Helix copy says `.inside` and `.around`.

(function_item body: (_) @function.inside) @function.around
(closure_expression body: (_) @function.inside) @function.around

(struct_item body: (_) @class.inside) @class.around
(enum_item body: (_) @class.inside) @class.around
(impl_item body: (_) @class.inside) @class.around

(parameters (_) @parameter.inside @parameter.around)
(closure_parameters (_) @parameter.inside @parameter.around)
(arguments (_) @parameter.inside @parameter.around)
(type_parameters (_) @parameter.inside @parameter.around)

[(line_comment) (block_comment) (doc_comment)] @comment.around

(function_item
  attributes: (attributes (attribute_item (attribute name: (identifier) @_test)))
  body: (_) @test.inside
  (#eq? @_test "test")) @test.around
