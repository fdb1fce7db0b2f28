; Generated from tree-sitter-grammar/queries/highlights.scm by
; tests/src/editor_queries.rs: edit that file, then run
; UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries

; Syntax highlighting for Ward. Later patterns win over earlier ones in
; tree-sitter highlight, so general captures come first.

; Identifiers ------------------------------------------------------------

(identifier) @variable

(type_identifier) @type

((type_identifier) @type.builtin
  (#any-of? @type.builtin
    "int" "float" "bool" "char" "String" "List" "Map" "Option" "Result"
    "Gc" "Weak" "RefCell" "Cell" "Error" "Json" "Task" "Sender" "Receiver"
    "Pool" "Pooled"))

((type_identifier) @type.builtin
  (#eq? @type.builtin "Self"))

(field_identifier) @variable.other.member
(shorthand_field_identifier) @variable.other.member
(shorthand_field_initializer name: (identifier) @variable.other.member)

(lifetime) @label
(label (lifetime) @label)

(type_parameter name: (type_identifier) @type.parameter)
(lifetime_parameter name: (lifetime) @label)

(parameter pattern: (identifier) @variable.parameter)
(closure_parameter pattern: (identifier) @variable.parameter)

(self) @variable.builtin

((scoped_identifier name: (identifier) @constructor)
  (#match? @constructor "^[A-Z]"))
((identifier) @constructor
  (#match? @constructor "^[A-Z][a-z]"))
((identifier) @constant
  (#match? @constant "^[A-Z][A-Z0-9_]+$"))
((identifier) @constant.builtin
  (#any-of? @constant.builtin "None"))
((identifier) @type.builtin
  (#eq? @type.builtin "Self"))

; Paths: `a::b` — a module, then the item (specific rules after the
; capitalisation guesses above, so they win).
(scoped_identifier path: (identifier) @namespace)
(scoped_type_identifier path: (identifier) @namespace)
(scoped_use_list path: (identifier) @namespace)
(use_as_clause alias: (identifier) @namespace)
((scoped_identifier path: (identifier) @type)
  (#match? @type "^[A-Z]"))

(tuple_struct_pattern type: (identifier) @constructor)
(enum_variant name: (identifier) @constructor)
(const_item name: (identifier) @constant)
(module_item name: (identifier) @namespace)

; Functions ---------------------------------------------------------------

(function_item name: (identifier) @function)
(call_expression function: (identifier) @function)
(call_expression function: (scoped_identifier name: (identifier) @function))
(call_expression function: (field_expression field: (field_identifier) @function.method))
(generic_function function: (identifier) @function)
(generic_function function: (scoped_identifier name: (identifier) @function))
(generic_function function: (field_expression field: (field_identifier) @function.method))

((call_expression function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "print" "println" "eprintln" "panic" "assert" "assert_eq" "drop" "error" "type_name"))

; Capabilities in a `uses` clause.
(uses_clause capability: (identifier) @attribute)

; Attributes --------------------------------------------------------------

(attribute_item "#" @attribute "[" @attribute "]" @attribute)
(attribute name: (identifier) @attribute)
(attribute_arguments (attribute name: (identifier) @attribute))

; Literals ----------------------------------------------------------------

(string_literal) @string
(escape_sequence) @constant.character.escape
(char_literal) @constant.character
(boolean_literal) @constant.builtin.boolean
(integer_literal) @constant.numeric.integer
(float_literal) @constant.numeric.float

; Comments ----------------------------------------------------------------

(line_comment) @comment
(block_comment) @comment
(doc_comment) @comment.line.documentation

; Keywords ----------------------------------------------------------------

[
  "as"
  "const"
  "enum"
  "impl"
  "let"
  "mod"
  "move"
  "ref"
  "struct"
  "use"
  "uses"
  "zone"
  "defer"
] @keyword

(visibility_modifier) @keyword
(mutable_specifier) @keyword

"fn" @keyword.function

[
  "return"
] @keyword.control.return

[
  "if"
  "else"
  "match"
] @keyword.control.conditional

[
  "while"
  "loop"
  "for"
  "in"
  "break"
  "continue"
] @keyword.control.repeat

[
  "try"
  "recover"
] @keyword.control.exception

; Operators and punctuation -----------------------------------------------

[
  "=" "+=" "-=" "*=" "/=" "%=" "&=" "|=" "^=" "<<=" ">>="
  "==" "!=" "<" "<=" ">" ">="
  "+" "-" "*" "/" "%" "!" "&" "|" "^" "<<" ">>" "&&" "||"
  ".." "..=" "?" "=>" "->" "@"
] @operator

(closure_parameters "|" @punctuation.bracket)

["(" ")" "[" "]" "{" "}"] @punctuation.bracket
(type_arguments ["<" ">"] @punctuation.bracket)
(type_parameters ["<" ">"] @punctuation.bracket)

["," ";" ":" "::" "."] @punctuation.delimiter
