//! Signature help: inside a call's parentheses, the callee's signature,
//! its parameters and which one the cursor is on. Like completion, it
//! reads an analysis of the text with the placeholder at the cursor, so
//! `admit(name, |` still has a call to look at.

use super::completion::{PLACEHOLDER, owner_fn};
use super::hover;
use crate::analysis::Analysis;
use crate::diagnostics::FileId;
use crate::resolve::{DefId, DefKind};
use crate::syntax;
use crate::syntax::ast::{ExprId, ExprKind};
use crate::types::ty::display;
use tree_sitter::Node;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHelp {
    /// `fn admit(name: String, bed: int) -> Patient`, on one line.
    pub label: String,
    /// Each parameter as it appears in the label (`bed: int`); a method's
    /// `self` is not one.
    pub parameters: Vec<String>,
    /// The parameter the cursor is on (may be past the last one).
    pub active: usize,
    pub documentation: Option<String>,
}

/// The signature of the call whose argument list holds `offset`.
pub fn signature_help(analysis: &Analysis, file: FileId, offset: u32) -> Option<SignatureHelp> {
    let program = &analysis.program;
    let text = &program.file(file).text;
    let cursor = offset as usize;
    let tree = syntax::parse(text);
    let node = tree
        .root_node()
        .descendant_for_byte_range(cursor, cursor + PLACEHOLDER.len())?;
    let arguments = std::iter::successors(Some(node), Node::parent).find(|n| {
        n.kind() == "arguments"
            && n.start_byte() < cursor
            && n.parent().is_some_and(|p| p.kind() == "call_expression")
    })?;
    let call = arguments.parent()?;
    let active = {
        let mut walk = arguments.walk();
        arguments
            .children(&mut walk)
            .filter(|c| c.kind() == "," && c.end_byte() <= cursor)
            .count()
    };
    let callee = callee(analysis, file, offset, call)?;
    let def = program.def(callee);
    let documentation = def.doc.as_ref().map(|d| d.trim().to_string());
    let (label, parameters) = match &def.kind {
        DefKind::Fn(f) => {
            let label = one_line(&hover::signature(analysis, callee, f));
            let label = label.strip_prefix("pub ").unwrap_or(&label).to_string();
            let source = &program.file(def.file).text;
            let parameters = f
                .body
                .params
                .iter()
                .filter_map(|p| source.get(p.span.start as usize..p.span.end as usize))
                .map(one_line)
                .collect();
            (label, parameters)
        }
        DefKind::Variant { parent, .. } => {
            let fields = analysis.typed.adts.fields.get(&callee)?;
            let parameters: Vec<String> = fields.iter().map(|f| display(program, &f.ty)).collect();
            let label = format!(
                "{}::{}({})",
                program.def(*parent).name.text,
                def.name.text,
                parameters.join(", ")
            );
            (label, parameters)
        }
        _ => return None,
    };
    Some(SignatureHelp {
        label,
        parameters,
        active,
        documentation,
    })
}

/// The function or variant a call expression calls, from the type
/// checker's resolution of the callee path or method.
fn callee(analysis: &Analysis, file: FileId, offset: u32, call: Node<'_>) -> Option<DefId> {
    let program = &analysis.program;
    let owner = owner_fn(program, file, offset)?;
    let DefKind::Fn(f) = &program.def(owner).kind else {
        return None;
    };
    let types = analysis.typed.bodies.get(&owner)?;
    let (start, end) = (call.start_byte(), call.end_byte());
    let (i, expr) = f.body.exprs.iter().enumerate().find(|(_, e)| {
        e.span.start as usize == start
            && e.span.end as usize == end
            && matches!(e.kind, ExprKind::Call { .. } | ExprKind::MethodCall { .. })
    })?;
    let id = ExprId(u32::try_from(i).ok()?);
    match &expr.kind {
        ExprKind::Call { callee, .. } => types.expr_defs.get(callee).copied(),
        _ => types.expr_defs.get(&id).copied(),
    }
}

/// Whitespace runs (a signature split over lines) as single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::signature_help;
    use crate::ide::tests::placeholder_fixture;

    fn help(text: &str) -> Option<(String, Vec<String>, usize)> {
        let (analysis, file, offset) = placeholder_fixture(text);
        let h = signature_help(&analysis, file, offset)?;
        Some((h.label, h.parameters, h.active))
    }

    #[test]
    fn functions_methods_and_variants() {
        let admit = "/// Admits.\nfn admit(name: String,\n         bed: int) -> int { bed }\n";
        let (label, params, active) =
            help(&format!("{admit}fn main() {{\n    admit(\"a\", $0);\n}}\n")).expect("help");
        assert_eq!(label, "fn admit(name: String, bed: int) -> int");
        assert_eq!(params, ["name: String", "bed: int"]);
        assert_eq!(active, 1);
        let (_, _, active) =
            help(&format!("{admit}fn main() {{\n    admit($0\n}}\n")).expect("unclosed call");
        assert_eq!(active, 0);

        let (label, params, active) =
            help("fn main() {\n    let mut v: List<int> = List::new();\n    v.insert(0, $0);\n}\n")
                .expect("method");
        assert!(label.starts_with("fn insert(&mut self"), "{label}");
        assert_eq!(params.len(), 2, "{params:?}");
        assert_eq!(active, 1);

        let (label, params, _) =
            help("enum Alert { High(int) }\nfn main() {\n    let a = Alert::High($0);\n}\n")
                .expect("variant");
        assert_eq!(
            (label.as_str(), params),
            ("Alert::High(int)", vec!["int".to_string()])
        );
    }

    #[test]
    fn nested_calls_answer_for_the_innermost_and_outside_calls_nothing() {
        let text = "fn one(a: int) -> int { a }\nfn two(a: int, b: int) -> int { a + b }\nfn main() {\n    two(1, one($0));\n}\n";
        let (label, _, active) = help(text).expect("inner call");
        assert_eq!((label.as_str(), active), ("fn one(a: int) -> int", 0));
        assert!(help("fn main() {\n    let x = 1$0;\n}\n").is_none());
    }
}
