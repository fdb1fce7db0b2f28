/**
 * @file Tree-sitter grammar for Ward, a small ownership-aware language.
 * @license MIT OR Apache-2.0
 *
 * The language is described in docs/reference.md. Its syntax is a subset of
 * Rust's, so this grammar follows the Rust reference wherever Ward is silent.
 * Every meaningful child carries a field() name: later stages read fields,
 * never child positions.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Operator precedence, highest first, from the Rust reference
// ("Expressions > Expression precedence"):
//   paths > method calls > field expressions > calls, indexing > `?`
//   > unary `-` `*` `!` `&` `&mut` > `as` > `*` `/` `%` > `+` `-` > `<<` `>>`
//   > `&` > `^` > `|` > `==` `!=` `<` `>` `<=` `>=` > `&&` > `||`
//   > `..` `..=` > `=` `+=` … (right associative) > `return` `break` closures
const PREC = {
  call: 15,
  field: 14,
  try: 13,
  unary: 12,
  cast: 11,
  multiplicative: 10,
  additive: 9,
  shift: 8,
  bitand: 7,
  bitxor: 6,
  bitor: 5,
  comparative: 4,
  and: 3,
  or: 2,
  range: 1,
  assign: 0,
  closure: -1,
};

const MULTIPLICATIVE_OPERATORS = ['*', '/', '%'];
const ADDITIVE_OPERATORS = ['+', '-'];
const SHIFT_OPERATORS = ['<<', '>>'];
const COMPARATIVE_OPERATORS = ['==', '!=', '<', '<=', '>', '>='];
const COMPOUND_ASSIGNMENT_OPERATORS = ['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>='];

const DECIMAL = /[0-9][0-9_]*/;

module.exports = grammar({
  name: 'ward',

  extras: $ => [/\s/, $.line_comment, $.doc_comment, $.block_comment],

  // Nested block comments cannot be a regular expression: src/scanner.c.
  externals: $ => [$.block_comment],

  word: $ => $.identifier,

  supertypes: $ => [$._item, $._statement, $._expression, $._type, $._pattern, $._literal],

  inline: $ => [$._path, $._type_identifier, $._field_identifier, $._condition],

  conflicts: $ => [
    [$.scoped_identifier, $.scoped_type_identifier],
  ],

  rules: {
    source_file: $ => repeat(field('item', $._item)),

    // ------------------------------------------------------------------ items

    _item: $ => choice(
      $.module_item,
      $.use_item,
      $.const_item,
      $.struct_item,
      $.enum_item,
      $.impl_item,
      $.function_item,
    ),

    attributes: $ => repeat1(field('attribute', $.attribute_item)),

    attribute_item: $ => seq('#', '[', field('attribute', $.attribute), ']'),

    attribute: $ => seq(
      field('name', choice($.identifier, $.scoped_identifier)),
      optional(field('arguments', $.attribute_arguments)),
    ),

    attribute_arguments: $ => seq(
      '(',
      sepBy(',', field('argument', choice($.attribute, $._literal))),
      optional(','),
      ')',
    ),

    visibility_modifier: _ => 'pub',

    module_item: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(field('visibility', $.visibility_modifier)),
      'mod',
      field('name', $.identifier),
      choice(';', field('body', $.declaration_list)),
    ),

    declaration_list: $ => seq('{', repeat(field('item', $._item)), '}'),

    use_item: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(field('visibility', $.visibility_modifier)),
      'use',
      field('tree', $._use_tree),
      ';',
    ),

    _use_tree: $ => choice(
      $._path,
      $.use_as_clause,
      $.use_list,
      $.scoped_use_list,
      $.use_wildcard,
    ),

    use_as_clause: $ => seq(field('path', $._path), 'as', field('alias', $.identifier)),

    use_list: $ => seq('{', sepBy(',', field('item', $._use_tree)), optional(','), '}'),

    scoped_use_list: $ => seq(
      optional(field('path', $._path)),
      '::',
      field('list', $.use_list),
    ),

    use_wildcard: $ => seq(optional(seq(field('path', $._path), '::')), '*'),

    const_item: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(field('visibility', $.visibility_modifier)),
      'const',
      field('name', $.identifier),
      ':',
      field('type', $._type),
      '=',
      field('value', $._expression),
      ';',
    ),

    struct_item: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(field('visibility', $.visibility_modifier)),
      'struct',
      field('name', $._type_identifier),
      optional(field('type_parameters', $.type_parameters)),
      choice(
        field('body', $.field_declaration_list),
        seq(field('body', $.ordered_field_declaration_list), ';'),
        ';',
      ),
    ),

    field_declaration_list: $ => seq(
      '{',
      sepBy(',', field('field', $.field_declaration)),
      optional(','),
      '}',
    ),

    field_declaration: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(field('visibility', $.visibility_modifier)),
      field('name', $._field_identifier),
      ':',
      field('type', $._type),
    ),

    ordered_field_declaration_list: $ => seq(
      '(',
      sepBy(',', field('field', $.ordered_field_declaration)),
      optional(','),
      ')',
    ),

    ordered_field_declaration: $ => seq(
      optional(field('visibility', $.visibility_modifier)),
      field('type', $._type),
    ),

    enum_item: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(field('visibility', $.visibility_modifier)),
      'enum',
      field('name', $._type_identifier),
      optional(field('type_parameters', $.type_parameters)),
      field('body', $.enum_variant_list),
    ),

    enum_variant_list: $ => seq(
      '{',
      sepBy(',', field('variant', $.enum_variant)),
      optional(','),
      '}',
    ),

    enum_variant: $ => seq(
      optional(field('attributes', $.attributes)),
      field('name', $.identifier),
      optional(field('body', choice($.field_declaration_list, $.ordered_field_declaration_list))),
      optional(seq('=', field('value', $._expression))),
    ),

    impl_item: $ => seq(
      optional(field('attributes', $.attributes)),
      'impl',
      optional(field('type_parameters', $.type_parameters)),
      field('type', $._type),
      field('body', $.declaration_list),
    ),

    function_item: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(field('visibility', $.visibility_modifier)),
      'fn',
      field('name', $.identifier),
      optional(field('type_parameters', $.type_parameters)),
      field('parameters', $.parameters),
      optional(seq('->', field('return_type', $._type))),
      optional(field('capabilities', $.uses_clause)),
      field('body', $.block),
    ),

    uses_clause: $ => seq('uses', sepBy1(',', field('capability', $.identifier))),

    type_parameters: $ => seq(
      '<',
      sepBy1(',', field('parameter', choice($.lifetime_parameter, $.type_parameter))),
      optional(','),
      '>',
    ),

    lifetime_parameter: $ => seq(
      field('name', $.lifetime),
      optional(seq(':', sepBy1('+', field('bound', $.lifetime)))),
    ),

    type_parameter: $ => field('name', $._type_identifier),

    parameters: $ => seq(
      '(',
      sepBy(',', field('parameter', choice($.self_parameter, $.parameter))),
      optional(','),
      ')',
    ),

    self_parameter: $ => seq(
      optional(seq(field('reference', '&'), optional(field('lifetime', $.lifetime)))),
      optional(field('mutable', $.mutable_specifier)),
      $.self,
    ),

    parameter: $ => seq(
      field('pattern', $._pattern),
      ':',
      field('type', $._type),
    ),

    // ------------------------------------------------------------------ types

    _type: $ => choice(
      $._type_identifier,
      $.scoped_type_identifier,
      $.generic_type,
      $.reference_type,
      $.tuple_type,
      $.unit_type,
      $.array_type,
      $.function_type,
      $.never_type,
      $.inferred_type,
    ),

    generic_type: $ => prec(1, seq(
      field('type', choice($._type_identifier, $.scoped_type_identifier)),
      field('type_arguments', $.type_arguments),
    )),

    type_arguments: $ => seq(
      token(prec(1, '<')),
      sepBy1(',', field('argument', choice($._type, $.lifetime))),
      optional(','),
      '>',
    ),

    scoped_type_identifier: $ => seq(
      field('path', $._path),
      '::',
      field('name', $._type_identifier),
    ),

    reference_type: $ => seq(
      '&',
      optional(field('lifetime', $.lifetime)),
      optional(field('mutable', $.mutable_specifier)),
      field('type', $._type),
    ),

    tuple_type: $ => seq(
      '(',
      field('element', $._type),
      ',',
      optional(seq(sepBy1(',', field('element', $._type)), optional(','))),
      ')',
    ),

    unit_type: _ => seq('(', ')'),

    array_type: $ => seq(
      '[',
      field('element', $._type),
      optional(seq(';', field('length', $._expression))),
      ']',
    ),

    function_type: $ => prec.right(seq(
      'fn',
      field('parameters', $.function_type_parameters),
      optional(seq('->', field('return_type', $._type))),
    )),

    function_type_parameters: $ => seq(
      '(',
      sepBy(',', field('parameter', $._type)),
      optional(','),
      ')',
    ),

    never_type: _ => '!',

    inferred_type: _ => '_',

    // ------------------------------------------------------------- statements

    block: $ => seq(
      '{',
      repeat(field('statement', $._statement)),
      optional(field('value', $._expression)),
      '}',
    ),

    _statement: $ => choice(
      $.expression_statement,
      $.let_declaration,
      $.defer_statement,
      $.empty_statement,
      $._item,
    ),

    empty_statement: _ => ';',

    // A block-like expression (`if`, `match`, loops, blocks) needs no `;` to
    // be a statement, as in Rust: `if a {} - 1` is a statement and `-1`.
    expression_statement: $ => choice(
      seq(field('expression', $._expression), ';'),
      prec(1, field('expression', $._expression_ending_with_block)),
    ),

    let_declaration: $ => seq(
      'let',
      field('pattern', $._pattern),
      optional(seq(':', field('type', $._type))),
      optional(seq('=', field('value', $._expression))),
      optional(seq('else', field('alternative', $.block))),
      ';',
    ),

    defer_statement: $ => choice(
      seq('defer', field('value', $._expression), ';'),
      prec(1, seq('defer', field('value', $._expression_ending_with_block))),
    ),

    // ------------------------------------------------------------ expressions

    _expression: $ => choice(
      $._expression_except_range,
      $.range_expression,
    ),

    // What can be called: everything but a range, so that `0..(n)` is a
    // range ending in a parenthesized expression, not a call of `0..`
    // (as in tree-sitter-rust).
    _expression_except_range: $ => choice(
      $._expression_ending_with_block,
      $.unary_expression,
      $.reference_expression,
      $.try_expression,
      $.type_cast_expression,
      $.binary_expression,
      $.assignment_expression,
      $.compound_assignment_expression,
      $.call_expression,
      $.index_expression,
      $.field_expression,
      $.generic_function,
      $.closure_expression,
      $.return_expression,
      $.break_expression,
      $.continue_expression,
      $.parenthesized_expression,
      $.tuple_expression,
      $.unit_expression,
      $.array_expression,
      $.struct_expression,
      $._literal,
      // `prec.left` makes a path before `{` an expression wherever a block may
      // follow (conditions, scrutinees, `for` iterables): `if x == S {}` is a
      // comparison with `S`, not a struct literal, exactly as in Rust.
      prec.left($.identifier),
      prec.left($.scoped_identifier),
      $.self,
    ),

    _expression_ending_with_block: $ => choice(
      $.block,
      $.if_expression,
      $.match_expression,
      $.while_expression,
      $.loop_expression,
      $.for_expression,
      $.zone_expression,
      $.try_expression_block,
    ),

    unary_expression: $ => prec(PREC.unary, seq(
      field('operator', choice('-', '*', '!')),
      field('operand', $._expression),
    )),

    reference_expression: $ => prec(PREC.unary, seq(
      '&',
      optional(field('mutable', $.mutable_specifier)),
      field('value', $._expression),
    )),

    try_expression: $ => prec(PREC.try, seq(field('value', $._expression), '?')),

    type_cast_expression: $ => prec.left(PREC.cast, seq(
      field('value', $._expression),
      'as',
      field('type', $._type),
    )),

    binary_expression: $ => {
      const table = [
        [PREC.and, '&&'],
        [PREC.or, '||'],
        [PREC.bitand, '&'],
        [PREC.bitor, '|'],
        [PREC.bitxor, '^'],
        [PREC.comparative, choice(...COMPARATIVE_OPERATORS)],
        [PREC.shift, choice(...SHIFT_OPERATORS)],
        [PREC.additive, choice(...ADDITIVE_OPERATORS)],
        [PREC.multiplicative, choice(...MULTIPLICATIVE_OPERATORS)],
      ];
      // @ts-ignore
      return choice(...table.map(([precedence, operator]) => prec.left(precedence, seq(
        field('left', $._expression),
        // @ts-ignore
        field('operator', operator),
        field('right', $._expression),
      ))));
    },

    assignment_expression: $ => prec.right(PREC.assign, seq(
      field('left', $._expression),
      '=',
      field('right', $._expression),
    )),

    compound_assignment_expression: $ => prec.right(PREC.assign, seq(
      field('left', $._expression),
      field('operator', choice(...COMPOUND_ASSIGNMENT_OPERATORS)),
      field('right', $._expression),
    )),

    range_expression: $ => prec.left(PREC.range, choice(
      seq(field('start', $._expression), field('operator', choice('..', '..=')), field('end', $._expression)),
      seq(field('start', $._expression), field('operator', '..')),
      seq(field('operator', choice('..', '..=')), field('end', $._expression)),
      field('operator', '..'),
    )),

    call_expression: $ => prec(PREC.call, seq(
      field('function', $._expression_except_range),
      field('arguments', $.arguments),
    )),

    arguments: $ => seq(
      '(',
      sepBy(',', field('argument', $._expression)),
      optional(','),
      ')',
    ),

    index_expression: $ => prec(PREC.call, seq(
      field('value', $._expression),
      '[',
      field('index', $._expression),
      ']',
    )),

    field_expression: $ => prec(PREC.field, seq(
      field('value', $._expression),
      '.',
      field('field', choice($._field_identifier, $.integer_literal)),
    )),

    // Turbofish: `task::channel::<Reading>(64)`, `xs.parse::<int>()`.
    generic_function: $ => prec(1, seq(
      field('function', choice($.identifier, $.scoped_identifier, $.field_expression)),
      '::',
      field('type_arguments', $.type_arguments),
    )),

    closure_expression: $ => prec(PREC.closure, seq(
      optional(field('move', 'move')),
      field('parameters', $.closure_parameters),
      choice(
        seq('->', field('return_type', $._type), field('body', $.block)),
        field('body', $._expression),
      ),
    )),

    closure_parameters: $ => choice(
      '||',
      seq('|', sepBy(',', field('parameter', $.closure_parameter)), optional(','), '|'),
    ),

    closure_parameter: $ => seq(
      field('pattern', $._closure_parameter_pattern),
      optional(seq(':', field('type', $._type))),
    ),

    // No top-level or-pattern: its `|` would close the parameter list.
    _closure_parameter_pattern: $ => choice(
      $.identifier,
      $.mut_pattern,
      $.ref_pattern,
      $.tuple_pattern,
      $.struct_pattern,
      $.tuple_struct_pattern,
      $.reference_pattern,
      $.wildcard_pattern,
    ),

    return_expression: $ => choice(
      prec.left(seq('return', field('value', $._expression))),
      prec(-1, 'return'),
    ),

    break_expression: $ => prec.left(seq(
      'break',
      optional(field('label', $.label)),
      optional(field('value', $._expression)),
    )),

    continue_expression: $ => prec.left(seq('continue', optional(field('label', $.label)))),

    label: $ => $.lifetime,

    parenthesized_expression: $ => seq('(', field('value', $._expression), ')'),

    tuple_expression: $ => seq(
      '(',
      field('element', $._expression),
      ',',
      optional(seq(sepBy1(',', field('element', $._expression)), optional(','))),
      ')',
    ),

    unit_expression: _ => seq('(', ')'),

    array_expression: $ => seq(
      '[',
      choice(
        seq(field('element', $._expression), ';', field('length', $._expression)),
        seq(sepBy(',', field('element', $._expression)), optional(',')),
      ),
      ']',
    ),

    struct_expression: $ => seq(
      field('name', choice($._type_identifier, $.scoped_type_identifier, $.generic_type_with_turbofish)),
      field('body', $.field_initializer_list),
    ),

    generic_type_with_turbofish: $ => seq(
      field('type', choice($._type_identifier, $.scoped_identifier)),
      '::',
      field('type_arguments', $.type_arguments),
    ),

    field_initializer_list: $ => seq(
      '{',
      sepBy(',', field('field', choice(
        $.shorthand_field_initializer,
        $.field_initializer,
        $.base_field_initializer,
      ))),
      optional(','),
      '}',
    ),

    shorthand_field_initializer: $ => field('name', $.identifier),

    field_initializer: $ => seq(
      field('name', choice($._field_identifier, $.integer_literal)),
      ':',
      field('value', $._expression),
    ),

    base_field_initializer: $ => seq('..', field('value', $._expression)),

    if_expression: $ => prec.right(seq(
      'if',
      field('condition', $._condition),
      field('consequence', $.block),
      optional(field('alternative', $.else_clause)),
    )),

    _condition: $ => choice($._expression, $.let_condition),

    let_condition: $ => seq(
      'let',
      field('pattern', $._pattern),
      '=',
      field('value', prec.left(PREC.and, $._expression)),
    ),

    else_clause: $ => seq('else', field('body', choice($.block, $.if_expression))),

    match_expression: $ => seq(
      'match',
      field('value', $._expression),
      field('body', $.match_block),
    ),

    match_block: $ => seq(
      '{',
      optional(seq(
        repeat(field('arm', $.match_arm)),
        field('arm', alias($.last_match_arm, $.match_arm)),
      )),
      '}',
    ),

    match_arm: $ => prec.right(seq(
      field('pattern', $._pattern),
      optional(seq('if', field('guard', $._condition))),
      '=>',
      choice(
        seq(field('value', $._expression), ','),
        prec(1, field('value', $._expression_ending_with_block)),
      ),
    )),

    // The final arm may omit its comma whatever its value.
    last_match_arm: $ => seq(
      field('pattern', $._pattern),
      optional(seq('if', field('guard', $._condition))),
      '=>',
      field('value', $._expression),
      optional(','),
    ),

    while_expression: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(seq(field('label', $.label), ':')),
      'while',
      field('condition', $._condition),
      field('body', $.block),
    ),

    loop_expression: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(seq(field('label', $.label), ':')),
      'loop',
      field('body', $.block),
    ),

    for_expression: $ => seq(
      optional(field('attributes', $.attributes)),
      optional(seq(field('label', $.label), ':')),
      'for',
      field('pattern', $._pattern),
      'in',
      field('value', $._expression),
      field('body', $.block),
    ),

    // `zone(4096) { … }` reserves a region; `zone { … }` asks for a computed bound.
    zone_expression: $ => seq(
      'zone',
      optional(seq('(', field('size', $._expression), ')')),
      field('body', $.block),
    ),

    // `try { … } recover e { … }` catches a panic unwinding out of the body.
    try_expression_block: $ => seq(
      'try',
      field('body', $.block),
      'recover',
      optional(field('binding', choice($.identifier, $.wildcard_pattern))),
      field('handler', $.block),
    ),

    // --------------------------------------------------------------- patterns

    _pattern: $ => choice(
      $._literal_pattern,
      $.identifier,
      $.scoped_identifier,
      $.tuple_pattern,
      $.tuple_struct_pattern,
      $.struct_pattern,
      $.slice_pattern,
      $.ref_pattern,
      $.mut_pattern,
      $.reference_pattern,
      $.captured_pattern,
      $.or_pattern,
      $.range_pattern,
      $.rest_pattern,
      $.wildcard_pattern,
    ),

    _literal_pattern: $ => choice(
      $.string_literal,
      $.char_literal,
      $.boolean_literal,
      $.integer_literal,
      $.float_literal,
      $.negative_literal,
    ),

    negative_literal: $ => seq('-', field('value', choice($.integer_literal, $.float_literal))),

    wildcard_pattern: _ => '_',

    rest_pattern: _ => '..',

    tuple_pattern: $ => seq(
      '(',
      sepBy(',', field('element', $._pattern)),
      optional(','),
      ')',
    ),

    tuple_struct_pattern: $ => seq(
      field('type', choice($.identifier, $.scoped_identifier)),
      '(',
      sepBy(',', field('element', $._pattern)),
      optional(','),
      ')',
    ),

    struct_pattern: $ => seq(
      field('type', choice($._type_identifier, $.scoped_type_identifier)),
      '{',
      sepBy(',', field('field', choice($.field_pattern, $.rest_pattern))),
      optional(','),
      '}',
    ),

    field_pattern: $ => choice(
      seq(
        optional(field('ref', 'ref')),
        optional(field('mutable', $.mutable_specifier)),
        field('name', alias($.identifier, $.shorthand_field_identifier)),
      ),
      seq(
        field('name', $._field_identifier),
        ':',
        field('pattern', $._pattern),
      ),
    ),

    slice_pattern: $ => seq(
      '[',
      sepBy(',', field('element', $._pattern)),
      optional(','),
      ']',
    ),

    ref_pattern: $ => seq(
      'ref',
      optional(field('mutable', $.mutable_specifier)),
      field('name', $.identifier),
    ),

    // `&mut x` is a `&mut` reference pattern around `x`, as in Rust.
    mut_pattern: $ => prec(-1, seq(
      field('mutable', $.mutable_specifier),
      field('name', $.identifier),
    )),

    reference_pattern: $ => seq(
      '&',
      optional(field('mutable', $.mutable_specifier)),
      field('pattern', $._pattern),
    ),

    captured_pattern: $ => seq(
      field('name', $.identifier),
      '@',
      field('pattern', $._pattern),
    ),

    or_pattern: $ => prec.left(-2, seq(
      field('left', $._pattern),
      '|',
      field('right', $._pattern),
    )),

    range_pattern: $ => seq(
      field('start', $._range_pattern_bound),
      field('operator', choice('..=', '..')),
      field('end', $._range_pattern_bound),
    ),

    _range_pattern_bound: $ => choice(
      $.integer_literal,
      $.float_literal,
      $.char_literal,
      $.negative_literal,
      $.identifier,
      $.scoped_identifier,
    ),

    // ------------------------------------------------------- paths and names

    _path: $ => choice($.self, $.identifier, $.scoped_identifier),

    scoped_identifier: $ => seq(
      field('path', optional(choice($._path, $.generic_type_with_turbofish, $._zone_path_segment))),
      '::',
      field('name', $.identifier),
    ),

    // `zone` is a keyword but also the std module `std::zone`; as the first
    // segment of a path (`zone::stats()`) it is that module's name.
    _zone_path_segment: $ => alias('zone', $.identifier),

    _type_identifier: $ => alias($.identifier, $.type_identifier),

    _field_identifier: $ => alias($.identifier, $.field_identifier),

    mutable_specifier: _ => 'mut',

    self: _ => 'self',

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,

    lifetime: _ => /'[A-Za-z_][A-Za-z0-9_]*/,

    // --------------------------------------------------------------- literals

    _literal: $ => choice(
      $.string_literal,
      $.char_literal,
      $.boolean_literal,
      $.integer_literal,
      $.float_literal,
    ),

    integer_literal: _ => token(choice(
      /0x[0-9a-fA-F_]+/,
      /0o[0-7_]+/,
      /0b[01_]+/,
      DECIMAL,
    )),

    float_literal: _ => token(choice(
      seq(DECIMAL, '.', DECIMAL, optional(/[eE][+-]?[0-9_]+/)),
      seq(DECIMAL, /[eE][+-]?[0-9_]+/),
    )),

    boolean_literal: _ => choice('true', 'false'),

    string_literal: $ => seq(
      '"',
      repeat(choice($.escape_sequence, $.string_content)),
      token.immediate('"'),
    ),

    // Higher precedence than comments so that `"// not a comment"` is text.
    string_content: _ => token.immediate(prec(1, /[^"\\]+/)),

    escape_sequence: _ => token.immediate(seq(
      '\\',
      choice(
        /[ntr0\\"']/,
        /x[0-7][0-9a-fA-F]/,
        /u\{[0-9a-fA-F]{1,6}\}/,
        /\r?\n/,
      ),
    )),

    // `'a'` is a char and `'a` a lifetime: the longest match decides, as in rustc.
    char_literal: _ => token(seq(
      '\'',
      choice(
        /[^'\\\n\r]/,
        /\\[ntr0\\"']/,
        /\\x[0-7][0-9a-fA-F]/,
        /\\u\{[0-9a-fA-F]{1,6}\}/,
      ),
      '\'',
    )),

    // ---------------------------------------------------------------- comments

    // `////…` is an ordinary comment, as in Rust: it outranks `///`.
    line_comment: _ => choice(
      token(seq('//', /[^\n]*/)),
      token(prec(3, seq('////', /[^\n]*/))),
    ),

    // `/// text` documents the item below it; `////` is an ordinary comment.
    doc_comment: _ => token(prec(2, seq('///', /[^\n]*/))),
  },
});

/**
 * One or more `rule`s separated by `separator`.
 * @param {RuleOrLiteral} separator
 * @param {RuleOrLiteral} rule
 * @returns {SeqRule}
 */
function sepBy1(separator, rule) {
  return seq(rule, repeat(seq(separator, rule)));
}

/**
 * Zero or more `rule`s separated by `separator`.
 * @param {RuleOrLiteral} separator
 * @param {RuleOrLiteral} rule
 * @returns {ChoiceRule}
 */
function sepBy(separator, rule) {
  return optional(sepBy1(separator, rule));
}
