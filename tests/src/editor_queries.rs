//! The editors' copies of the grammar's queries. `tree-sitter-grammar/queries/`
//! is the one home of every query, written with nvim-treesitter's capture
//! names; Neovim gets it as it is and Helix gets it with Helix's names. The
//! copies are generated here and a test compares them with the committed
//! files, so they cannot drift (`UPDATE_EDITOR_QUERIES=1` rewrites them).

/// The queries each editor takes, by file name.
pub const NEOVIM_QUERIES: [&str; 6] = [
    "highlights.scm",
    "locals.scm",
    "folds.scm",
    "indents.scm",
    "injections.scm",
    "textobjects.scm",
];
pub const HELIX_QUERIES: [&str; 6] = [
    "highlights.scm",
    "locals.scm",
    "indents.scm",
    "injections.scm",
    "textobjects.scm",
    "tags.scm",
];

fn header(name: &str) -> String {
    format!(
        "; Generated from tree-sitter-grammar/queries/{name} by\n\
         ; tests/src/editor_queries.rs: edit that file, then run\n\
         ; UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries\n\n"
    )
}

/// Neovim's copy: the source itself.
pub fn neovim(name: &str, source: &str) -> String {
    header(name) + source
}

/// Helix's copy, or what in the source has no Helix name.
pub fn helix(name: &str, source: &str) -> Result<String, String> {
    let mut out = header(name);
    for piece in split(source) {
        match piece {
            Piece::Trivia(text) => out.push_str(text),
            Piece::Pattern(text) => {
                if let Some(pattern) = helix_pattern(name, text)? {
                    out.push_str(&pattern);
                }
            }
        }
    }
    // Dropped patterns leave their blank lines behind: one is enough.
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    if out.ends_with("\n\n") {
        out.pop();
    }
    Ok(out)
}

/// A top-level piece of a query file.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    /// Comments and white space between patterns.
    Trivia(&'a str),
    /// One pattern with its captures and predicates.
    Pattern(&'a str),
}

/// Splits a query into patterns and the trivia between them. A pattern
/// ends where its brackets close and no capture or quantifier follows.
fn split(source: &str) -> Vec<Piece<'_>> {
    let bytes = source.as_bytes();
    let mut pieces = Vec::new();
    let mut i = 0;
    let mut trivia_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b';' => i = line_end(bytes, i),
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                if trivia_start < i {
                    pieces.push(Piece::Trivia(&source[trivia_start..i]));
                }
                let start = i;
                i = pattern_end(bytes, i);
                pieces.push(Piece::Pattern(&source[start..i]));
                trivia_start = i;
            }
        }
    }
    if trivia_start < bytes.len() {
        pieces.push(Piece::Trivia(&source[trivia_start..]));
    }
    pieces
}

fn line_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}

fn string_end(bytes: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    (i + 1).min(bytes.len())
}

fn pattern_end(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    loop {
        if i >= bytes.len() {
            return bytes.len();
        }
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b';' => i = line_end(bytes, i),
            b'(' | b'[' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
        if depth == 0 {
            return trailing_captures_end(bytes, i);
        }
    }
}

/// Captures and quantifiers on the same line belong to the pattern.
fn trailing_captures_end(bytes: &[u8], mut i: usize) -> usize {
    loop {
        let mut j = i;
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
            j += 1;
        }
        match bytes.get(j) {
            Some(b'@') => {
                i = j + 1;
                while i < bytes.len() && is_name_byte(bytes[i]) {
                    i += 1;
                }
            }
            Some(b'*' | b'+' | b'?') => i = j + 1,
            _ => return i,
        }
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// One pattern with Helix's capture names; `None` when none of its
/// captures means anything to Helix.
fn helix_pattern(file: &str, pattern: &str) -> Result<Option<String>, String> {
    let bytes = pattern.as_bytes();
    let mut out = String::new();
    let mut kept = 0;
    let mut dropped = 0;
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b';' => i = line_end(bytes, i),
            b'@' => {
                let start = i;
                i += 1;
                while i < bytes.len() && is_name_byte(bytes[i]) {
                    i += 1;
                }
                let name = &pattern[start + 1..i];
                if name.starts_with('_') {
                    continue;
                }
                if let Some(helix) = helix_capture(file, name, pattern)? {
                    out.push_str(&pattern[copied..start]);
                    out.push('@');
                    out.push_str(helix);
                    kept += 1;
                } else {
                    // Drop the capture and the blank before it.
                    out.push_str(pattern[copied..start].trim_end_matches([' ', '\t']));
                    dropped += 1;
                }
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&pattern[copied..]);
    Ok((kept > 0 || dropped == 0).then_some(out))
}

/// What becomes of a capture in Helix's copy.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Helix {
    /// Helix uses the same name.
    Same,
    Rename(&'static str),
    /// Helix has nothing like it.
    Drop,
}

/// Helix's name for a capture of the file; `Ok(None)` drops it, `Err`
/// names a capture that needs a mapping here.
fn helix_capture<'a>(file: &str, name: &'a str, pattern: &str) -> Result<Option<&'a str>, String> {
    let mapped = match file {
        "highlights.scm" => helix_highlight(name),
        "locals.scm" => local(name, pattern),
        "indents.scm" => match name {
            "indent.begin" => Some(Helix::Rename("indent")),
            "indent.branch" => Some(Helix::Rename("outdent")),
            // Helix ends an indent at the outdented line itself and has
            // no "keep the previous line's indent" capture.
            "indent.end" | "indent.auto" => Some(Helix::Drop),
            _ => None,
        },
        "textobjects.scm" => textobject(name),
        "injections.scm" => (name == "injection.content").then_some(Helix::Same),
        "tags.scm" => tag(name),
        _ => None,
    };
    match mapped {
        Some(Helix::Same) => Ok(Some(name)),
        Some(Helix::Rename(helix)) => Ok(Some(helix)),
        Some(Helix::Drop) => Ok(None),
        None => Err(format!("{file}: no Helix name for @{name}")),
    }
}

fn helix_highlight(name: &str) -> Option<Helix> {
    Some(match name {
        "variable"
        | "variable.parameter"
        | "variable.builtin"
        | "type"
        | "type.builtin"
        | "type.parameter"
        | "constructor"
        | "constant"
        | "constant.builtin"
        | "label"
        | "function"
        | "function.builtin"
        | "attribute"
        | "string"
        | "comment"
        | "keyword"
        | "keyword.function"
        | "operator"
        | "punctuation.bracket"
        | "punctuation.delimiter" => Helix::Same,
        "property" => Helix::Rename("variable.other.member"),
        "module" => Helix::Rename("namespace"),
        "function.call" => Helix::Rename("function"),
        "function.method.call" => Helix::Rename("function.method"),
        "attribute.builtin" => Helix::Rename("attribute"),
        "string.escape" => Helix::Rename("constant.character.escape"),
        "character" => Helix::Rename("constant.character"),
        "boolean" => Helix::Rename("constant.builtin.boolean"),
        "number" => Helix::Rename("constant.numeric.integer"),
        "number.float" => Helix::Rename("constant.numeric.float"),
        "comment.documentation" => Helix::Rename("comment.line.documentation"),
        "keyword.return" => Helix::Rename("keyword.control.return"),
        "keyword.conditional" => Helix::Rename("keyword.control.conditional"),
        "keyword.repeat" => Helix::Rename("keyword.control.repeat"),
        "keyword.exception" => Helix::Rename("keyword.control.exception"),
        _ => return None,
    })
}

/// Helix colours a reference like its definition's suffix.
fn local(name: &str, pattern: &str) -> Option<Helix> {
    Some(match name {
        "local.scope" | "local.reference" => Helix::Same,
        "local.definition" => Helix::Rename(
            if pattern.starts_with("(parameter ") || pattern.starts_with("(closure_parameter ") {
                "local.definition.variable.parameter"
            } else if pattern.starts_with("(self_parameter ") {
                "local.definition.variable.builtin"
            } else if pattern.starts_with("(type_parameter ") {
                "local.definition.type.parameter"
            } else {
                "local.definition.variable"
            },
        ),
        _ => return None,
    })
}

/// Text objects Helix has: nvim's `.inner`/`.outer` names and Helix's.
const HELIX_OBJECTS: [(&str, &str, &str); 5] = [
    ("function", "function.inside", "function.around"),
    ("class", "class.inside", "class.around"),
    ("parameter", "parameter.inside", "parameter.around"),
    ("comment", "comment.inside", "comment.around"),
    ("test", "test.inside", "test.around"),
];

fn textobject(name: &str) -> Option<Helix> {
    let (object, part) = name.split_once('.')?;
    if ["conditional", "loop", "call", "block"].contains(&object) {
        // Objects Helix does not have.
        return Some(Helix::Drop);
    }
    let &(_, inside, around) = HELIX_OBJECTS.iter().find(|(o, _, _)| *o == object)?;
    match part {
        "inner" => Some(Helix::Rename(inside)),
        "outer" => Some(Helix::Rename(around)),
        _ => None,
    }
}

fn tag(name: &str) -> Option<Helix> {
    Some(match name {
        "name" | "definition.constant" | "definition.module" | "definition.function" => Helix::Same,
        "definition.class" => Helix::Rename("definition.struct"),
        "definition.method" => Helix::Rename("definition.function"),
        // Helix's tags are definitions only.
        "reference.call" | "reference.class" | "reference.implementation" => Helix::Drop,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_keep_their_trailing_captures_and_quantifiers() {
        let pieces = split("; a\n(x) @a.b\n\n[\"a\" \"(\"] @c ; note\n(y)* @d\n");
        let patterns: Vec<_> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Pattern(text) => Some(*text),
                Piece::Trivia(_) => None,
            })
            .collect();
        assert_eq!(patterns, ["(x) @a.b", "[\"a\" \"(\"] @c", "(y)* @d"]);
        let joined: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Pattern(t) | Piece::Trivia(t) => *t,
            })
            .collect();
        assert_eq!(
            joined,
            "; a\n(x) @a.b\n\n[\"a\" \"(\"] @c ; note\n(y)* @d\n"
        );
    }

    #[test]
    fn helix_names_replace_and_drop_captures() {
        let out = helix(
            "indents.scm",
            "[\"}\"] @indent.branch @indent.end\n\n(string) @indent.auto\n",
        )
        .unwrap_or_default();
        assert!(out.ends_with("[\"}\"] @outdent\n"), "{out}");
        let out = helix(
            "highlights.scm",
            "((identifier) @_x (#eq? @_x \"@module\")) @module\n",
        )
        .unwrap_or_default();
        assert!(
            out.ends_with("((identifier) @_x (#eq? @_x \"@module\")) @namespace\n"),
            "{out}"
        );
        assert!(helix("highlights.scm", "(x) @made.up\n").is_err());
        let out = helix(
            "locals.scm",
            "(parameter pattern: (identifier) @local.definition)\n",
        )
        .unwrap_or_default();
        assert!(
            out.contains("@local.definition.variable.parameter"),
            "{out}"
        );
    }
}
