; Definitions and references for code navigation (tree-sitter tags).

(struct_item name: (type_identifier) @name) @definition.class
(enum_item name: (type_identifier) @name) @definition.class
(enum_variant name: (identifier) @name) @definition.constant
(const_item name: (identifier) @name) @definition.constant
(module_item name: (identifier) @name) @definition.module

(declaration_list
  (function_item name: (identifier) @name) @definition.method)

(source_file
  (function_item name: (identifier) @name) @definition.function)

(call_expression function: (identifier) @name) @reference.call
(call_expression function: (scoped_identifier name: (identifier) @name)) @reference.call
(call_expression function: (field_expression field: (field_identifier) @name)) @reference.call
(struct_expression name: (type_identifier) @name) @reference.class
(impl_item type: (type_identifier) @name) @reference.implementation
