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
