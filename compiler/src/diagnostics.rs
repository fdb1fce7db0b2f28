//! Diagnostics as data: a stable code, a severity, a message, a primary span
//! with its label, secondary labels, notes, help and machine-applicable
//! fixes. Rendering (terminal, JSON, LSP) happens at the edges and never
//! decides anything; every code is documented in `docs/diagnostics.md`.

use std::fmt;

/// Which source file a span points into: an index into the analysis' file
/// list. The standard library's declaration text is a file too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range inside one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// An empty span at the end of this one (where a missing token goes).
    #[must_use]
    pub fn shrink_to_hi(self) -> Span {
        Span {
            start: self.end,
            end: self.end,
        }
    }

    #[must_use]
    pub fn shrink_to_lo(self) -> Span {
        Span {
            start: self.start,
            end: self.start,
        }
    }
}

/// A span in a particular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileSpan {
    pub file: FileId,
    pub span: Span,
}

impl FileSpan {
    pub const fn new(file: FileId, span: Span) -> FileSpan {
        FileSpan { file, span }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A diagnostic code: `W0308`. The numbers follow rustc's `E0308` where
/// the meaning is the same; Ward's own checks use `W1xxx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(pub &'static str);

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Every code the front end emits, with its default severity and a title.
/// `docs/diagnostics.md` has a section per code; a test keeps the two equal.
pub mod codes {
    use super::Code;

    pub const SYNTAX: Code = Code("W0001");
    pub const NESTED_TOO_DEEPLY: Code = Code("W0002");
    pub const CONST_NOT_CONST: Code = Code("W0015");
    pub const MISSING_FIELDS_PATTERN: Code = Code("W0027");
    pub const PATTERN_ARITY: Code = Code("W0023");
    pub const REFUTABLE_LET: Code = Code("W0005");
    pub const FIELD_TWICE: Code = Code("W0062");
    pub const CONST_CYCLE: Code = Code("W0391");
    pub const EXPECTED_UNIT_PATTERN: Code = Code("W0532");
    pub const NO_SUCH_FIELD_PATTERN: Code = Code("W0026");
    pub const NON_EXHAUSTIVE: Code = Code("W0004");
    pub const MISSING_STRUCT_FIELDS: Code = Code("W0063");
    pub const WRONG_ARG_COUNT: Code = Code("W0061");
    pub const CONST_EVAL: Code = Code("W0080");
    pub const MISSING_LIFETIME: Code = Code("W0106");
    pub const WRONG_GENERIC_COUNT: Code = Code("W0107");
    pub const IMPLICIT_ELIDED_LIFETIME: Code = Code("W0726");
    pub const DUPLICATE_FIELD: Code = Code("W0124");
    pub const NOT_COPYABLE: Code = Code("W0204");
    pub const UNDECLARED_LIFETIME: Code = Code("W0261");
    pub const BREAK_OUTSIDE_LOOP: Code = Code("W0268");
    pub const NOT_IMPLEMENTED: Code = Code("W0277");
    pub const TYPE_ANNOTATIONS_NEEDED: Code = Code("W0282");
    pub const MISMATCHED_TYPES: Code = Code("W0308");
    pub const BINARY_OP: Code = Code("W0369");
    pub const BOUND_TWICE: Code = Code("W0416");
    pub const NOT_BOUND_IN_ALL: Code = Code("W0408");
    pub const UNRESOLVED_TYPE: Code = Code("W0412");
    pub const EXPECTED_VALUE: Code = Code("W0423");
    pub const UNRESOLVED_VALUE: Code = Code("W0425");
    pub const DUPLICATE_DEFINITION: Code = Code("W0428");
    pub const UNRESOLVED_IMPORT: Code = Code("W0432");
    pub const UNRESOLVED_PATH: Code = Code("W0433");
    pub const UNDECLARED_LABEL: Code = Code("W0426");
    pub const PRIVATE_FIELD_LITERAL: Code = Code("W0451");
    pub const NO_SUCH_FIELD: Code = Code("W0560");
    pub const BREAK_VALUE_IN_FOR: Code = Code("W0571");
    pub const EXPECTED_STRUCT: Code = Code("W0574");
    pub const MODULE_FILE_NOT_FOUND: Code = Code("W0583");
    pub const NO_METHOD: Code = Code("W0599");
    pub const UNARY_OP: Code = Code("W0600");
    pub const PRIVATE_ITEM: Code = Code("W0603");
    pub const INVALID_CAST: Code = Code("W0606");
    pub const NOT_INDEXABLE: Code = Code("W0608");
    pub const NO_FIELD: Code = Code("W0609");
    pub const NOT_DEREFERENCEABLE: Code = Code("W0614");
    pub const PRIVATE_FIELD: Code = Code("W0616");
    pub const NOT_A_FUNCTION: Code = Code("W0618");
    pub const PRIVATE_METHOD: Code = Code("W0624");
    pub const INVALID_ASSIGN_TARGET: Code = Code("W0070");
    pub const IF_WITHOUT_ELSE: Code = Code("W0317");
    pub const CYCLIC_MODULE: Code = Code("W1001");
    pub const FORMAT_STRING: Code = Code("W1002");
    pub const UNSUPPORTED: Code = Code("W1003");
    pub const HL7_PATH: Code = Code("W1004");
    pub const UNINITIALIZED: Code = Code("W0381");
    pub const USE_AFTER_MOVE: Code = Code("W0382");
    pub const ASSIGN_TWICE: Code = Code("W0384");
    pub const MOVE_OUT_OF_BORROW: Code = Code("W0507");
    pub const CLOSURE_KIND: Code = Code("W0525");
    pub const CLOSURE_MAY_OUTLIVE: Code = Code("W0373");
    pub const BORROW_MUT_TWICE: Code = Code("W0499");
    pub const CLOSURE_UNIQUE_WHILE_BORROWED: Code = Code("W0500");
    pub const CLOSURE_REQUIRES_UNIQUE: Code = Code("W0501");
    pub const TWO_CLOSURES_UNIQUE: Code = Code("W0524");
    pub const BORROW_CONFLICT: Code = Code("W0502");
    pub const USE_WHILE_MUT_BORROWED: Code = Code("W0503");
    pub const MOVE_WHILE_BORROWED: Code = Code("W0505");
    pub const ASSIGN_WHILE_BORROWED: Code = Code("W0506");
    pub const RETURN_LOCAL_REF: Code = Code("W0515");
    pub const DOES_NOT_LIVE_LONG_ENOUGH: Code = Code("W0597");
    pub const EXPLICIT_LIFETIME_REQUIRED: Code = Code("W0621");
    pub const LIFETIME_MAY_NOT_LIVE_LONG_ENOUGH: Code = Code("W0623");
    pub const TEMPORARY_DROPPED: Code = Code("W0716");
    pub const GC_NOT_STATIC: Code = Code("W0801");
    pub const NOT_SEND: Code = Code("W0802");
    pub const ZONE_ESCAPE: Code = Code("W0803");
    pub const REALTIME_GC: Code = Code("W0804");
    pub const REALTIME_RECURSION: Code = Code("W0805");
    pub const REALTIME_UNBOUNDED_LOOP: Code = Code("W0806");
    pub const REALTIME_BLOCKING: Code = Code("W0807");
    pub const REALTIME_CALL: Code = Code("W0808");
    pub const REALTIME_CAPABILITY: Code = Code("W0809");
    pub const ZONE_UNBOUNDED: Code = Code("W0810");
    pub const ZONE_TOO_SMALL: Code = Code("W0811");
    pub const MISSING_CAPABILITY: Code = Code("W0901");
    pub const UNKNOWN_CAPABILITY: Code = Code("W0902");
    pub const ASSIGN_TO_IMMUTABLE: Code = Code("W0594");
    pub const BORROW_MUT_OF_IMMUTABLE: Code = Code("W0596");
    pub const UNUSED_VARIABLE: Code = Code("W1101");
    pub const UNUSED_MUT: Code = Code("W1102");
    pub const UNREACHABLE_CODE: Code = Code("W1103");
    pub const UNUSED_IMPORT: Code = Code("W1104");
    pub const UNREACHABLE_PATTERN: Code = Code("W1105");
}

/// A secondary span with what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: FileSpan,
    pub message: String,
}

/// A text edit: replace `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: FileSpan,
    pub replacement: String,
}

/// Whether a fix can be applied without a person's judgement (rustc's
/// `Applicability`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Applicability {
    /// Applying it gives a program that checks (as far as this error goes).
    #[default]
    MachineApplicable,
    /// It holds placeholders to fill in (`/* int */`).
    HasPlaceholders,
}

/// A fix: what it does, and the edits that do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

/// A message about the program, tied to a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub span: FileSpan,
    /// What the primary span shows (may be empty).
    pub label: String,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Vec<String>,
    pub fixes: Vec<Fix>,
    /// Marks diagnostics about unused or unreachable code, which editors
    /// draw faded.
    pub unnecessary: bool,
    /// For a syntax error the parser repaired: the statement or item the
    /// repair touched, in the same file. Other diagnostics inside it are
    /// left out (`drop_repaired`): they follow from the damage.
    pub repaired: Option<Span>,
}

impl Diagnostic {
    /// Moves every span by `delta` bytes: the item it is about moved in
    /// its file (the caches of the incremental analysis).
    pub fn shift(&mut self, delta: i64) {
        use crate::syntax::shift::Shift;
        self.span.span.shift(delta);
        for l in &mut self.labels {
            l.span.span.shift(delta);
        }
        for f in &mut self.fixes {
            for e in &mut f.edits {
                e.span.span.shift(delta);
            }
        }
        if let Some(r) = &mut self.repaired {
            r.shift(delta);
        }
    }

    /// Whether every span is in `file` within `span` (such a diagnostic
    /// moves with its item).
    pub fn is_within(&self, file: FileId, span: Span) -> bool {
        let inside =
            |s: FileSpan| s.file == file && s.span.start >= span.start && s.span.end <= span.end;
        inside(self.span)
            && self.labels.iter().all(|l| inside(l.span))
            && self
                .fixes
                .iter()
                .all(|f| f.edits.iter().all(|e| inside(e.span)))
    }

    pub fn error(code: Code, span: FileSpan, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Error, span, message)
    }

    pub fn warning(code: Code, span: FileSpan, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, span, message)
    }

    pub fn new(
        code: Code,
        severity: Severity,
        span: FileSpan,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span,
            label: String::new(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
            fixes: Vec::new(),
            unnecessary: false,
            repaired: None,
        }
    }

    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    #[must_use]
    pub fn with_secondary(mut self, span: FileSpan, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    #[must_use]
    pub fn with_fix(
        mut self,
        message: impl Into<String>,
        span: FileSpan,
        replacement: impl Into<String>,
    ) -> Diagnostic {
        self.fixes.push(Fix {
            message: message.into(),
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
            applicability: Applicability::MachineApplicable,
        });
        self
    }

    /// A fix of several edits made together.
    #[must_use]
    pub fn with_edits(
        mut self,
        message: impl Into<String>,
        edits: Vec<Edit>,
        applicability: Applicability,
    ) -> Diagnostic {
        self.fixes.push(Fix {
            message: message.into(),
            edits,
            applicability,
        });
        self
    }

    #[must_use]
    pub fn unnecessary(mut self) -> Diagnostic {
        self.unnecessary = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The candidate nearest to `name` by edit distance, if it is near enough
/// to be what was meant (as rustc's suggestions: at most a third of the
/// name's length, and never the name itself).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count().max(3)) / 3;
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Something a mistyped name may have meant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub name: String,
    /// What it is: "local variable", "function", "field", "method"…
    pub kind: &'static str,
    /// Where it is defined, labelled "similarly named … defined here"
    /// (none for std items and locals, as rustc).
    pub defined: Option<FileSpan>,
}

/// `diag` with the candidate nearest to `name` (by [`closest`]) offered
/// as a replacement of `at`: "a function with a similar name exists". Ties
/// go to the first name in order, so the answer never depends on the order
/// of a hash map.
pub fn suggest(
    diag: Diagnostic,
    at: FileSpan,
    name: &str,
    mut candidates: Vec<Candidate>,
) -> Diagnostic {
    candidates.sort();
    candidates.dedup_by(|a, b| a.name == b.name);
    let Some(best) = closest(name, candidates.iter().map(|c| c.name.as_str())) else {
        return diag;
    };
    let Some(c) = candidates.iter().find(|c| c.name == best) else {
        return diag;
    };
    let mut diag = diag;
    if let Some(defined) = c.defined {
        diag = diag.with_secondary(
            defined,
            format!("similarly named {} `{}` defined here", c.kind, c.name),
        );
    }
    diag.with_fix(
        format!("{} {} with a similar name exists", article(c.kind), c.kind),
        at,
        c.name.clone(),
    )
}

/// "a" or "an" before a word.
pub fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Leaves out every diagnostic other than a syntax error whose primary
/// span lies inside a region a syntax error's repair touched.
pub fn drop_repaired(diagnostics: &mut Vec<Diagnostic>) {
    let regions: Vec<(FileId, Span)> = diagnostics
        .iter()
        .filter_map(|d| Some((d.span.file, d.repaired?)))
        .collect();
    if regions.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        d.code == codes::SYNTAX
            || !regions.iter().any(|(file, r)| {
                *file == d.span.file && d.span.span.start >= r.start && d.span.span.end <= r.end
            })
    });
}

/// Sorts diagnostics by file, position and code, and drops exact repeats
/// (two stages reaching the same conclusion about the same place).
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (
            a.span.file,
            a.span.span.start,
            a.span.span.end,
            a.code,
            &a.message,
        )
            .cmp(&(
                b.span.file,
                b.span.span.start,
                b.span.span.end,
                b.code,
                &b.message,
            ))
    });
    diagnostics.dedup_by(|a, b| a.span == b.span && a.code == b.code && a.message == b.message);
}
