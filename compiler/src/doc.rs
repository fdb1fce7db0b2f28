//! What `ward doc` documents, as data: each module of the program and of
//! std with its public items — signature, `///` text, the capabilities a
//! function needs, methods of types. Signatures are shown with their
//! elided lifetimes written out (`fn first(xs: &'a List<int>) -> &'a int`),
//! so a reader sees which input a returned reference borrows from. The
//! `ward` binary renders this as HTML.

use crate::analysis::Analysis;
use crate::diagnostics::Span;
use crate::resolve::{DefId, DefKind, ModuleId, Program, TypeRes};
use crate::syntax::ast::Function;

/// One documented module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocModule {
    /// `vitals`, `vitals::alarms`, `std::hl7`.
    pub path: String,
    pub doc: Option<String>,
    pub items: Vec<DocItem>,
    /// Part of the standard library.
    pub is_std: bool,
}

/// One public item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocItem {
    /// `fn`, `struct`, `enum`, `const`, `mod` or `method`.
    pub kind: &'static str,
    pub name: String,
    /// The declaration as written (fields and variants included), with
    /// elided lifetimes named.
    pub signature: String,
    pub doc: Option<String>,
    /// The capabilities calling it needs (functions and methods).
    pub caps: Vec<String>,
    /// Methods of a struct or enum.
    pub methods: Vec<DocItem>,
    /// Whether `signature` names lifetimes the source elides.
    pub lifetimes_shown: bool,
}

/// The modules of the program (its root named `package`) and of std, in
/// order: the program's first, each followed by its submodules.
pub fn document(analysis: &Analysis, package: &str) -> Vec<DocModule> {
    let program = &analysis.program;
    let mut out = Vec::new();
    walk(analysis, program.root, package.to_string(), false, &mut out);
    walk(analysis, program.std_root, "std".into(), true, &mut out);
    out
}

fn walk(analysis: &Analysis, m: ModuleId, path: String, is_std: bool, out: &mut Vec<DocModule>) {
    let program = &analysis.program;
    let module = program.module(m);
    let mut defs: Vec<(String, DefId)> = module
        .items
        .iter()
        .flat_map(|(name, per)| {
            [per.types, per.values]
                .into_iter()
                .flatten()
                .map(move |d| (name.clone(), d))
        })
        .collect();
    defs.sort();
    defs.dedup();
    let mut items = Vec::new();
    let mut submodules = Vec::new();
    for (name, d) in defs {
        let def = program.def(d);
        // Std's items are all documented; the program's public ones.
        if !(def.is_pub || is_std && module.is_std) {
            continue;
        }
        match &def.kind {
            DefKind::Module(child) => {
                if program.module(*child).is_block {
                    continue;
                }
                submodules.push((format!("{path}::{name}"), *child));
                items.push(DocItem {
                    kind: "mod",
                    name,
                    signature: format!("mod {}", def.name.text),
                    doc: def.doc.clone(),
                    caps: Vec::new(),
                    methods: Vec::new(),
                    lifetimes_shown: false,
                });
            }
            DefKind::Variant { .. } => {}
            _ => items.push(item(analysis, d)),
        }
    }
    let doc = module.def.and_then(|d| program.def(d).doc.clone());
    out.push(DocModule {
        path,
        doc,
        items,
        is_std,
    });
    for (child_path, child) in submodules {
        walk(analysis, child, child_path, is_std, out);
    }
}

fn item(analysis: &Analysis, d: DefId) -> DocItem {
    let program = &analysis.program;
    let def = program.def(d);
    let text = &program.file(def.file).text;
    let (kind, signature, lifetimes_shown) = match &def.kind {
        DefKind::Fn(f) => {
            let (sig, shown) = function_signature(text, f);
            (
                if def.owner.is_some() { "method" } else { "fn" },
                sig,
                shown,
            )
        }
        DefKind::Struct(_) => ("struct", declaration(text, def.span), false),
        DefKind::Enum(_) => ("enum", declaration(text, def.span), false),
        DefKind::Const(_) => ("const", declaration(text, def.span), false),
        DefKind::Module(_) | DefKind::Variant { .. } => ("mod", def.name.text.clone(), false),
    };
    let caps = match def.kind {
        DefKind::Fn(_) => analysis
            .caps
            .requirement(program, d)
            .iter()
            .map(|c| c.name().to_string())
            .collect(),
        _ => Vec::new(),
    };
    let methods = match def.kind {
        DefKind::Struct(_) | DefKind::Enum(_) => methods(analysis, d),
        _ => Vec::new(),
    };
    DocItem {
        kind,
        name: def.name.text.clone(),
        signature,
        doc: def.doc.clone(),
        caps,
        methods,
        lifetimes_shown,
    }
}

/// The public methods and associated functions of a type, by name.
fn methods(analysis: &Analysis, d: DefId) -> Vec<DocItem> {
    let program = &analysis.program;
    let mut out: Vec<DocItem> = program
        .impls_by_type
        .get(&TypeRes::Def(d))
        .into_iter()
        .flatten()
        .flat_map(|i| program.impls[i.0 as usize].methods.iter().copied())
        .filter(|m| {
            let def = program.def(*m);
            (def.is_pub || program.module(def.module).is_std) && !is_hidden(program, *m)
        })
        .map(|m| item(analysis, m))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Std's hidden role methods (`deref`, `iter`, `index`), not for people.
fn is_hidden(program: &Program, m: DefId) -> bool {
    let def = program.def(m);
    ["deref", "iter", "index"]
        .iter()
        .any(|role| def.has_attr(role))
}

/// An item's declaration without its doc comments and attributes.
fn declaration(text: &str, span: Span) -> String {
    let written = text.get(span.range()).unwrap_or("");
    let mut lines: Vec<&str> = written
        .lines()
        .map(strip_attributes)
        .skip_while(|l| {
            let t = l.trim_start();
            t.is_empty() || t.starts_with("///") || t.starts_with("//!")
        })
        .collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// `line` without the attributes it starts with (`#[native] pub fn` →
/// `pub fn`).
fn strip_attributes(line: &str) -> &str {
    let mut rest = line;
    loop {
        let t = rest.trim_start();
        let Some(inner) = t.strip_prefix("#[") else {
            return if rest.len() == line.len() { line } else { t };
        };
        // Attributes hold no nested brackets but in their arguments' `(…)`.
        let Some(close) = inner.find(']') else {
            return line;
        };
        rest = &inner[close + 1..];
    }
}

/// A function's signature as written, with elided lifetimes named as
/// elision fills them in: each elided input reference its own lifetime,
/// an elided output reference that of `&self` or of the one input
/// reference. Returns whether any was named.
pub fn function_signature(text: &str, f: &Function) -> (String, bool) {
    let sig = f.sig_span;
    let Some(full) = text.get(sig.range()) else {
        return (String::new(), false);
    };
    // Offsets below are of the signature; attributes in front go.
    let written = strip_attributes(full);
    let skipped = u32::try_from(full.len() - written.len()).unwrap_or(0);
    let sig = Span::new(sig.start + skipped, sig.end);
    let declared: Vec<String> = f
        .generics
        .lifetimes()
        .map(|p| p.name.text.clone())
        .collect();
    let mut names = ('a'..='z')
        .map(|c| format!("'{c}"))
        .filter(|n| !declared.contains(n));
    // (offset in the text, lifetime) for each elided input reference.
    let mut inserts: Vec<(u32, String)> = Vec::new();
    let mut self_lifetime = None;
    if let Some(s) = &f.self_param
        && s.reference
    {
        if let Some(l) = &s.lifetime {
            self_lifetime = Some(l.text.clone());
        } else {
            let Some(name) = names.next() else {
                return (written.to_string(), false);
            };
            inserts.push((s.span.start + 1, name.clone()));
            self_lifetime = Some(name);
        }
    }
    let mut inputs: Vec<String> = Vec::new();
    for p in &f.body.params {
        crate::types::visit_refs(&p.ty, &mut |lifetime, span| match lifetime {
            Some(l) => inputs.push(l.text.clone()),
            None => {
                if let Some(name) = names.next() {
                    inserts.push((span.start + 1, name.clone()));
                    inputs.push(name);
                }
            }
        });
    }
    let output = self_lifetime.or_else(|| match inputs.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    });
    let elided_inputs = inserts.len();
    if let Some(ret) = &f.ret {
        let mut elided_out = Vec::new();
        crate::types::visit_refs(ret, &mut |lifetime, span| {
            if lifetime.is_none() {
                elided_out.push(span.start + 1);
            }
        });
        if let Some(out_name) = &output {
            inserts.extend(elided_out.into_iter().map(|at| (at, out_name.clone())));
        }
    }
    // Only a returned reference makes the lifetimes worth reading: they
    // say which input it borrows from.
    if !inserts
        .iter()
        .any(|(_, name)| Some(name) == output.as_ref())
        || inserts.len() == elided_inputs
    {
        return (written.trim_end().to_string(), false);
    }
    let mut new_names: Vec<String> = inserts.iter().map(|(_, n)| n.clone()).collect();
    new_names.sort();
    new_names.dedup();
    new_names.retain(|n| !declared.contains(n));
    let mut edits: Vec<(u32, String)> = inserts
        .into_iter()
        .map(|(at, name)| (at, format!("{name} ")))
        .collect();
    if !new_names.is_empty() {
        let list = new_names.join(", ");
        edits.push(match f.generics.params.first() {
            Some(first) => (first.name.span.start, format!("{list}, ")),
            None => (f.name.span.end, format!("<{list}>")),
        });
    }
    edits.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut out = written.to_string();
    for (at, insert) in edits {
        let Some(offset) = at.checked_sub(sig.start).map(|o| o as usize) else {
            continue;
        };
        if offset <= out.len() && out.is_char_boundary(offset) {
            out.insert_str(offset, &insert);
        }
    }
    (out.trim_end().to_string(), true)
}
