; Generated from tree-sitter-grammar/queries/locals.scm by
; tests/src/editor_queries.rs: edit that file, then run
; UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries

; Scopes, definitions and references for local-variable highlighting.

[
  (function_item)
  (closure_expression)
  (block)
  (match_arm)
  (for_expression)
  (while_expression)
  (if_expression)
  (try_expression_block)
] @local.scope

(parameter pattern: (identifier) @local.definition)
(parameter pattern: (mut_pattern name: (identifier) @local.definition))
(self_parameter (self) @local.definition)
(closure_parameter pattern: (identifier) @local.definition)
(closure_parameter pattern: (mut_pattern name: (identifier) @local.definition))

(let_declaration pattern: (identifier) @local.definition)
(let_condition pattern: (identifier) @local.definition)
(for_expression pattern: (identifier) @local.definition)
(match_arm pattern: (identifier) @local.definition)
(try_expression_block binding: (identifier) @local.definition)

(mut_pattern name: (identifier) @local.definition)
(ref_pattern name: (identifier) @local.definition)
(captured_pattern name: (identifier) @local.definition)
(tuple_pattern element: (identifier) @local.definition)
(tuple_struct_pattern element: (identifier) @local.definition)
(slice_pattern element: (identifier) @local.definition)
(field_pattern name: (shorthand_field_identifier) @local.definition)
(field_pattern pattern: (identifier) @local.definition)
(or_pattern left: (identifier) @local.definition)
(or_pattern right: (identifier) @local.definition)

(type_parameter name: (type_identifier) @local.definition)

(identifier) @local.reference
(type_identifier) @local.reference
