use super::{FormatError, format};

/// Formats `input` at the default width (see [`fmt_width`]).
fn fmt(input: &str) -> String {
    let text = fmt_width(input, super::DEFAULT_MAX_WIDTH);
    assert_eq!(format(input).expect("formats").text, text);
    text
}

#[test]
fn spacing_follows_rust_conventions() {
    let input =
        "fn  add<'a,T>( a:&'a   mut int,b : List<List<int>> )->int{let x=-a*2+b.len( ) ;x}\n";
    assert_eq!(
        fmt(input),
        "fn add<'a, T>(a: &'a mut int, b: List<List<int>>) -> int { let x = -a * 2 + b.len(); x }\n"
    );
}

#[test]
fn expressions_keep_their_operators_tight_where_rust_does() {
    let input = "fn main() {\nlet r=& mut v [ 0 ];\nfor i in 0 .. n {}\nlet c=| x ,y |x+y;\nlet p=Point{x:1,..base};\nlet t=(a,);\nlet q=xs.parse :: <int>()?;\nif ! ok {}\nlet z = & &v;\n}\n";
    assert_eq!(
        fmt(input),
        "fn main() {\n    let r = &mut v[0];\n    for i in 0..n {}\n    let c = |x, y| x + y;\n    let p = Point { x: 1, ..base };\n    let t = (a,);\n    let q = xs.parse::<int>()?;\n    if !ok {}\n    let z = & &v;\n}\n"
    );
}

#[test]
fn indentation_comes_from_brackets_and_continuations() {
    let input = "fn main() {\n\t  let total = readings\n.iter()\n  .len();\nmatch x {\nSome(v) =>\nv,\n   None => {\n0\n}\n}\n        foo(\n1,\n2,\n)\n}\n";
    assert_eq!(
        fmt(input),
        "fn main() {\n    let total = readings\n        .iter()\n        .len();\n    match x {\n        Some(v) =>\n            v,\n        None => {\n            0\n        }\n    }\n    foo(\n        1,\n        2,\n    )\n}\n"
    );
}

#[test]
fn attributes_and_comments_start_their_item() {
    let input = "  /// Adds.\n#[test]\n   #[realtime]\n fn a() {\n// inside\n  let x = 1; // trailing   \n}\n";
    assert_eq!(
        fmt(input),
        "/// Adds.\n#[test]\n#[realtime]\nfn a() {\n    // inside\n    let x = 1; // trailing\n}\n"
    );
}

#[test]
fn blank_lines_shrink_to_one_and_leave_bracket_edges() {
    let input = "\n\nfn a() {\n\n\n    let x = 1;\n\n\n\n    let y = 2;\n\n}\n\n\n\nfn b() {}";
    assert_eq!(
        fmt(input),
        "fn a() {\n    let x = 1;\n\n    let y = 2;\n}\n\nfn b() {}\n"
    );
}

#[test]
fn else_joins_the_closing_brace() {
    let input =
        "fn f(c: bool) -> int {\n    if c {\n        1\n    }\n    else {\n        2\n    }\n}\n";
    assert_eq!(
        fmt(input),
        "fn f(c: bool) -> int {\n    if c {\n        1\n    } else {\n        2\n    }\n}\n"
    );
}

#[test]
fn literals_and_block_comments_are_kept_verbatim() {
    let input = "fn main() {\n    let s = \"a  b\\n\n   c\";   /* keep\n      this */\n    let c = ' ';\n}\n";
    assert_eq!(
        fmt(input),
        "fn main() {\n    let s = \"a  b\\n\n   c\"; /* keep\n      this */\n    let c = ' ';\n}\n"
    );
}

#[test]
fn items_use_lists_and_generics() {
    let input = "use std::{ fs , io };\nmod vitals ;\nstruct View < 'a > { rows : & 'a List < int > }\nenum Alert { High ( int ) , Ok }\nimpl < 'a > View < 'a > {\nfn n ( & self ) -> int uses fs , net { 0 }\n}\nconst MAX : [ int ; 4 ] = [ 0 ; 4 ];\n";
    assert_eq!(
        fmt(input),
        "use std::{fs, io};\nmod vitals;\nstruct View<'a> { rows: &'a List<int> }\nenum Alert { High(int), Ok }\nimpl<'a> View<'a> {\n    fn n(&self) -> int uses fs, net { 0 }\n}\nconst MAX: [int; 4] = [0; 4];\n"
    );
}

#[test]
fn patterns() {
    let input = "fn f(x: int) {\n    match x {\n        - 1 | 0 => {}\n        n @ 1 ..= 5 => {}\n        _ if x > 2 => {}\n        _ => {}\n    }\n    let Point { x , .. } = p;\n    let &mut y = r;\n}\n";
    assert_eq!(
        fmt(input),
        "fn f(x: int) {\n    match x {\n        -1 | 0 => {}\n        n @ 1..=5 => {}\n        _ if x > 2 => {}\n        _ => {}\n    }\n    let Point { x, .. } = p;\n    let &mut y = r;\n}\n"
    );
}

#[test]
fn windows_line_endings_become_unix_ones() {
    assert_eq!(
        fmt("fn main() {\r\n  let x = 1; // c\r\n}\r\n"),
        "fn main() {\n    let x = 1; // c\n}\n"
    );
}

#[test]
fn formatted_text_has_no_edits() {
    let text = "fn main() {\n    println(\"hi\");\n}\n";
    let formatted = format(text).expect("formats");
    assert!(formatted.is_unchanged(), "{:?}", formatted.edits);
    assert_eq!(formatted.text, text);
}

#[test]
fn empty_and_blank_texts() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n  \n"), "");
    assert_eq!(fmt("// only a comment   "), "// only a comment\n");
}

#[test]
fn syntax_errors_are_refused() {
    let error = format("fn main( {\n").expect_err("does not parse");
    assert!(
        matches!(&error, FormatError::Syntax(errors) if !errors.is_empty()),
        "{error:?}"
    );
    assert!(error.to_string().contains("syntax error"), "{error}");
}

#[test]
fn comments_keep_a_space_after_a_brace() {
    assert_eq!(
        fmt("fn f() {   // why\n    g(/* n */ 1)\n}\n"),
        "fn f() { // why\n    g(/* n */ 1)\n}\n"
    );
}

/// Formats `input` with a maximum width, checks the result is stable
/// under a second pass and that the edits rebuild it, and returns it.
fn fmt_width(input: &str, max_width: usize) -> String {
    let options = super::Options { max_width };
    let formatted = super::format_with(input, &options).unwrap_or_else(|e| panic!("{e}: {input}"));
    let again = super::format_with(&formatted.text, &options).expect("formatted text formats");
    assert_eq!(again.text, formatted.text, "not idempotent");
    assert!(again.is_unchanged(), "a second pass still edits");
    let mut rebuilt = input.to_string();
    for edit in formatted.edits.iter().rev() {
        rebuilt.replace_range(edit.range.clone(), &edit.text);
    }
    assert_eq!(rebuilt, formatted.text, "edits disagree with the text");
    formatted.text
}

#[test]
fn long_calls_and_parameters_go_one_per_line_with_a_trailing_comma() {
    let input = "fn reading(patient: String, heart_rate: int, oxygen: float) -> String { describe(patient, heart_rate, oxygen) }\n";
    assert_eq!(
        fmt_width(input, 60),
        "fn reading(\n    patient: String,\n    heart_rate: int,\n    oxygen: float,\n) -> String {\n    describe(patient, heart_rate, oxygen)\n}\n"
            .replace("{\n    describe", "{ describe")
            .replace("oxygen)\n}", "oxygen) }")
    );
}

#[test]
fn struct_literals_chains_and_conditions_break_as_rustfmt_breaks_them() {
    let input = "fn main() {\n    let r = Reading { patient: name, heart_rate: 72, oxygen: 0.98 };\n    let s = r.patient.trim().to_uppercase().replace(\"A\", \"a\");\n    if r.heart_rate > 100 && r.oxygen < 0.92 && s.len() > 0 { alarm(); }\n}\n";
    assert_eq!(
        fmt_width(input, 50),
        "fn main() {\n    let r = Reading {\n        patient: name,\n        heart_rate: 72,\n        oxygen: 0.98,\n    };\n    let s = r.patient\n        .trim()\n        .to_uppercase()\n        .replace(\"A\", \"a\");\n    if r.heart_rate > 100\n        && r.oxygen < 0.92\n        && s.len() > 0\n    {\n        alarm();\n    }\n}\n"
    );
}

#[test]
fn nested_lists_break_from_the_outside_in() {
    let input = "fn main() {\n    outer(first_argument, inner(second_argument, third_argument, fourth_argument));\n}\n";
    assert_eq!(
        fmt_width(input, 40),
        "fn main() {\n    outer(\n        first_argument,\n        inner(\n            second_argument,\n            third_argument,\n            fourth_argument,\n        ),\n    );\n}\n"
    );
}

#[test]
fn what_cannot_break_stays_and_short_lines_are_left_alone() {
    // A one-element tuple keeps its meaning; a long string has nowhere to
    // break; a short call is not touched.
    let input = "fn main() {\n    let t = (a_very_long_name_for_one_element,);\n    let s = \"a string literal far longer than the width\";\n    f(1, 2);\n}\n";
    assert_eq!(fmt_width(input, 30), input);
    // The default width is 100: this line is 99 characters.
    let line = format!(
        "fn main() {{ f({}); }}\n",
        "a, ".repeat(28).trim_end_matches(", ")
    );
    assert!(line.trim_end().len() <= 100);
    assert_eq!(fmt(&line), line);
}

#[test]
fn comments_survive_a_broken_list() {
    let input =
        "fn main() {\n    call(alpha_value, beta_value, gamma_value); // the three readings\n}\n";
    let out = fmt_width(input, 40);
    assert!(out.contains("// the three readings"), "{out}");
    assert!(out.contains("        gamma_value,\n"), "{out}");
}
