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

(parameter pattern: (identifier) @local.definition.variable.parameter)
(parameter pattern: (mut_pattern name: (identifier) @local.definition.variable.parameter))
(self_parameter (self) @local.definition.variable.builtin)
(closure_parameter pattern: (identifier) @local.definition.variable.parameter)
(closure_parameter pattern: (mut_pattern name: (identifier) @local.definition.variable.parameter))

(let_declaration pattern: (identifier) @local.definition.variable)
(let_condition pattern: (identifier) @local.definition.variable)
(for_expression pattern: (identifier) @local.definition.variable)
(match_arm pattern: (identifier) @local.definition.variable)
(try_expression_block binding: (identifier) @local.definition.variable)

(mut_pattern name: (identifier) @local.definition.variable)
(ref_pattern name: (identifier) @local.definition.variable)
(captured_pattern name: (identifier) @local.definition.variable)
(tuple_pattern element: (identifier) @local.definition.variable)
(tuple_struct_pattern element: (identifier) @local.definition.variable)
(slice_pattern element: (identifier) @local.definition.variable)
(field_pattern name: (shorthand_field_identifier) @local.definition.variable)
(field_pattern pattern: (identifier) @local.definition.variable)
(or_pattern left: (identifier) @local.definition.variable)
(or_pattern right: (identifier) @local.definition.variable)

(type_parameter name: (type_identifier) @local.definition.type.parameter)

(identifier) @local.reference
(type_identifier) @local.reference
