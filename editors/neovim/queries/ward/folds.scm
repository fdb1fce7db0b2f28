; Generated from tree-sitter-grammar/queries/folds.scm by
; tests/src/editor_queries.rs: edit that file, then run
; UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries

; Foldable regions.

[
  (function_item)
  (impl_item)
  (struct_item)
  (enum_item)
  (module_item)
  (declaration_list)
  (field_declaration_list)
  (enum_variant_list)
  (block)
  (match_block)
  (match_arm)
  (field_initializer_list)
  (arguments)
  (parameters)
  (array_expression)
  (use_list)
  (block_comment)
] @fold
