; Generated from tree-sitter-grammar/queries/textobjects.scm by
; tests/src/editor_queries.rs: edit that file, then run
; UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries

; Text objects, with nvim-treesitter-textobjects capture names (`.inner`,
; `.outer`); the Helix copy says `.inside` and `.around`.

(function_item body: (_) @function.inner) @function.outer
(closure_expression body: (_) @function.inner) @function.outer

(struct_item body: (_) @class.inner) @class.outer
(enum_item body: (_) @class.inner) @class.outer
(impl_item body: (_) @class.inner) @class.outer

(parameters (_) @parameter.inner @parameter.outer)
(closure_parameters (_) @parameter.inner @parameter.outer)
(arguments (_) @parameter.inner @parameter.outer)
(type_parameters (_) @parameter.inner @parameter.outer)

(if_expression consequence: (block) @conditional.inner) @conditional.outer
(match_expression body: (match_block) @conditional.inner) @conditional.outer
(for_expression body: (block) @loop.inner) @loop.outer
(while_expression body: (block) @loop.inner) @loop.outer
(loop_expression body: (block) @loop.inner) @loop.outer

(call_expression arguments: (arguments) @call.inner) @call.outer
(block) @block.outer

[(line_comment) (block_comment) (doc_comment)] @comment.outer

(function_item
  attributes: (attributes (attribute_item (attribute name: (identifier) @_test)))
  body: (_) @test.inner
  (#eq? @_test "test")) @test.outer
