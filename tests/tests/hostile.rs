//! Deep and wide input never takes the compiler down: nesting past
//! `MAX_NESTING` is W0002 (once), nesting just under it is checked as
//! usual, and both finish on the stack the CLI and the server give
//! analysis (`ANALYSIS_STACK`), in debug builds too.

use ward_compiler::analysis::analyze_text;
use ward_compiler::syntax::MAX_NESTING;

/// Programs whose nesting grows with `n`, one per construct.
fn deep_programs(n: usize) -> Vec<(&'static str, String)> {
    let paren = format!(
        "fn main() {{ let x = {}1{}; println(\"{{}}\", x); }}\n",
        "(".repeat(n),
        ")".repeat(n)
    );
    let sum = format!(
        "fn main() {{ let x = {}; println(\"{{}}\", x); }}\n",
        vec!["1"; n].join(" + ")
    );
    let elif = {
        let arms: Vec<String> = (0..n).map(|i| format!("if x == {i} {{ {i} }}")).collect();
        format!(
            "fn f(x: int) -> int {{ {} else {{ 0 }} }}\nfn main() {{ println(\"{{}}\", f(3)); }}\n",
            arms.join(" else ")
        )
    };
    let block = format!(
        "fn main() {{ let x = {}1{}; println(\"{{}}\", x); }}\n",
        "{ ".repeat(n / 2),
        " }".repeat(n / 2)
    );
    let array = format!(
        "fn main() {{ let _x = {}1{}; }}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let closure = format!("fn main() {{ let _f = {}1; }}\n", "|| ".repeat(n));
    let chain = format!(
        "fn main() {{ let s = String::new(){}; println(\"{{}}\", s); }}\n",
        ".clone()".repeat(n)
    );
    let generic = format!(
        "fn f(_x: {}int{}) {{}}\nfn main() {{}}\n",
        "List<".repeat(n),
        ">".repeat(n)
    );
    let matches = format!(
        "fn main() {{ let x = 1; let _y = {}1{}; }}\n",
        "match x { _ => ".repeat(n),
        " }".repeat(n)
    );
    let modules = format!(
        "{}fn f() {{}}{}\nfn main() {{}}\n",
        "mod m { ".repeat(n),
        " }".repeat(n)
    );
    let uses = format!(
        "use a::{}b{};\nfn main() {{}}\n",
        "{a::".repeat(n / 2),
        "}".repeat(n / 2)
    );
    // The value's type is as deep as the pattern (typing them was cubic).
    let tuple_pattern = format!(
        "fn main() {{ let {}_x{} = {}1{}; }}\n",
        "(".repeat(n),
        ",)".repeat(n),
        "(".repeat(n),
        ",)".repeat(n)
    );
    vec![
        ("tuple pattern", tuple_pattern),
        ("parentheses", paren),
        ("binary chain", sum),
        ("else if", elif),
        ("blocks", block),
        ("arrays", array),
        ("closures", closure),
        ("method chain", chain),
        ("generics", generic),
        ("match", matches),
        ("modules", modules),
        ("use tree", uses),
    ]
}

fn codes(src: &str) -> Vec<&'static str> {
    let owned = src.to_string();
    let analysis = ward_compiler::with_analysis_stack(move || analyze_text("deep.ward", &owned));
    let mut codes: Vec<&'static str> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.0)
        .collect();
    codes.dedup();
    codes
}

#[test]
fn nesting_past_the_limit_is_one_error() {
    let n = MAX_NESTING as usize + 200;
    for (what, src) in deep_programs(n) {
        // One error, and no follow-on errors about what was cut off.
        let got = codes(&src);
        assert_eq!(got, ["W0002"], "{what}");
    }
}

#[test]
fn nesting_far_past_the_limit_is_bounded() {
    for (what, src) in deep_programs(50_000) {
        let got = codes(&src);
        assert!(got.contains(&"W0002"), "{what}: {got:?}");
    }
}

#[test]
fn nesting_under_the_limit_is_checked_as_usual() {
    // A few levels of the function, `let` and statement around the
    // construct: stay a margin under the limit.
    let n = MAX_NESTING as usize - 20;
    for (what, src) in deep_programs(n) {
        let got = codes(&src);
        assert!(!got.contains(&"W0002"), "{what}: {got:?}");
    }
}
