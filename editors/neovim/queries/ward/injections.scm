; Generated from tree-sitter-grammar/queries/injections.scm by
; tests/src/editor_queries.rs: edit that file, then run
; UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries

; Embedded languages.

; `json::parse("{ \"hr\": 72 }")`: the string is JSON.
((call_expression
  function: (scoped_identifier
    path: (identifier) @_module
    name: (identifier) @_function)
  arguments: (arguments
    (string_literal (string_content) @injection.content)))
  (#eq? @_module "json")
  (#eq? @_function "parse")
  (#set! injection.language "json"))

; Doc comments are Markdown.
((doc_comment) @injection.content
  (#set! injection.language "markdown")
  (#set! injection.include-children))

; TODO/FIXME/NOTE markers in comments.
([(line_comment) (block_comment)] @injection.content
  (#set! injection.language "comment"))
