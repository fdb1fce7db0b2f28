; Generated from tree-sitter-grammar/queries/indents.scm by
; tests/src/editor_queries.rs: edit that file, then run
; UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries

; Indentation, with nvim-treesitter capture names; the Helix copy maps them
; to `@indent` and `@outdent`.

[
  (block)
  (declaration_list)
  (field_declaration_list)
  (ordered_field_declaration_list)
  (enum_variant_list)
  (field_initializer_list)
  (match_block)
  (arguments)
  (parameters)
  (array_expression)
  (tuple_expression)
  (use_list)
  (type_arguments)
  (type_parameters)
] @indent.begin

; A statement continued on the next line (`let x =\n value;`).
(let_declaration) @indent.begin
(match_arm value: (_) @indent.begin)

[
  "}"
  ")"
  "]"
] @indent.branch @indent.end

(type_arguments ">" @indent.branch @indent.end)
(type_parameters ">" @indent.branch @indent.end)

[
  (string_literal)
  (block_comment)
] @indent.auto
