; Generated from tree-sitter-grammar/queries/tags.scm by
; tests/src/editor_queries.rs: edit that file, then run
; UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries

; Definitions and references for code navigation (tree-sitter tags).

(struct_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.struct
(enum_variant name: (identifier) @name) @definition.constant
(const_item name: (identifier) @name) @definition.constant
(module_item name: (identifier) @name) @definition.module

(declaration_list
  (function_item name: (identifier) @name) @definition.function)

(source_file
  (function_item name: (identifier) @name) @definition.function)

(call_expression function: (identifier) @name)
(call_expression function: (scoped_identifier name: (identifier) @name))
(call_expression function: (field_expression field: (field_identifier) @name))
(struct_expression name: (type_identifier) @name)
(impl_item type: (type_identifier) @name)
