//! The items of a file as an outline: modules, structs with their fields,
//! enums with their variants, functions, constants, and `impl` blocks with
//! their methods.

use crate::analysis::Analysis;
use crate::diagnostics::{FileId, Span};
use crate::resolve::{DefId, DefKind, ModuleId};
use crate::types::ty::display;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Module,
    Struct,
    Enum,
    Variant,
    Field,
    Function,
    Method,
    Const,
    Impl,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// A short description: a function's signature, a field's type.
    pub detail: Option<String>,
    /// The whole item.
    pub span: Span,
    /// Its name (inside `span`).
    pub name_span: Span,
    pub children: Vec<Symbol>,
}

/// The outline of `file`, in source order.
pub fn document_symbols(analysis: &Analysis, file: FileId) -> Vec<Symbol> {
    let program = &analysis.program;
    let Some(module) = program
        .modules
        .iter()
        .position(|m| m.file == file && !m.is_block && !m.is_std)
    else {
        return Vec::new();
    };
    let mut out = module_symbols(analysis, ModuleId(u32::try_from(module).unwrap_or(0)), file);
    // `impl` blocks of this file, with their methods.
    for imp in program.impls.iter().filter(|i| i.file == file) {
        let methods: Vec<Symbol> = imp
            .methods
            .iter()
            .filter_map(|m| def_symbol(analysis, *m))
            .map(|mut s| {
                s.kind = SymbolKind::Method;
                s
            })
            .collect();
        let name = format!(
            "impl {}",
            program
                .file(file)
                .text
                .get(imp.self_ty.span().start as usize..imp.self_ty.span().end as usize)
                .unwrap_or("?")
        );
        out.push(Symbol {
            name,
            kind: SymbolKind::Impl,
            detail: None,
            span: imp.span,
            name_span: imp.self_ty.span(),
            children: methods,
        });
    }
    out.sort_by_key(|s| s.span.start);
    out
}

fn module_symbols(analysis: &Analysis, module: ModuleId, file: FileId) -> Vec<Symbol> {
    let program = &analysis.program;
    program
        .defs_with_ids()
        .filter(|(_, d)| d.module == module && d.file == file && d.owner.is_none())
        .filter(|(_, d)| !matches!(d.kind, DefKind::Variant { .. }))
        .filter_map(|(id, _)| def_symbol(analysis, id))
        .collect()
}

/// One item, with its members.
pub fn def_symbol(analysis: &Analysis, d: DefId) -> Option<Symbol> {
    let program = &analysis.program;
    let def = program.def(d);
    let fields = |owner: DefId| -> Vec<Symbol> {
        analysis
            .typed
            .adts
            .fields
            .get(&owner)
            .map(|fs| {
                fs.iter()
                    .map(|f| Symbol {
                        name: f.name.clone(),
                        kind: SymbolKind::Field,
                        detail: Some(display(program, &f.ty)),
                        span: f.span,
                        name_span: f.span,
                        children: Vec::new(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (kind, detail, children) = match &def.kind {
        DefKind::Fn(f) => {
            let text = &program.file(def.file).text;
            let sig = text
                .get(f.sig_span.start as usize..f.sig_span.end as usize)
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
            (SymbolKind::Function, sig, Vec::new())
        }
        DefKind::Struct(_) => (SymbolKind::Struct, None, fields(d)),
        DefKind::Enum(_) => {
            let variants = program
                .variants(d)
                .into_iter()
                .filter_map(|v| {
                    let vd = program.def(v);
                    Some(Symbol {
                        name: vd.name.text.clone(),
                        kind: SymbolKind::Variant,
                        detail: None,
                        span: vd.span,
                        name_span: vd.name.span,
                        children: fields(v),
                    })
                    .filter(|_| vd.file == def.file)
                })
                .collect();
            (SymbolKind::Enum, None, variants)
        }
        DefKind::Const(_) => (
            SymbolKind::Const,
            analysis
                .typed
                .const_types
                .get(&d)
                .map(|t| display(program, t)),
            Vec::new(),
        ),
        DefKind::Module(m) => {
            // `mod x;` is a line here; its items are in its own file.
            let inline = program.module(*m).file == def.file;
            let children = if inline {
                module_symbols(analysis, *m, def.file)
            } else {
                Vec::new()
            };
            (SymbolKind::Module, None, children)
        }
        DefKind::Variant { .. } => (SymbolKind::Variant, None, fields(d)),
    };
    Some(Symbol {
        name: def.name.text.clone(),
        kind,
        detail,
        span: def.span,
        name_span: def.name.span,
        children,
    })
}

/// Items of every user file whose name matches `query` (case-insensitive,
/// its characters in order), best matches first.
pub fn workspace_symbols(analysis: &Analysis, query: &str) -> Vec<(FileId, Symbol)> {
    let program = &analysis.program;
    let query = query.to_lowercase();
    let mut found: Vec<(usize, FileId, Symbol)> = Vec::new();
    for (id, def) in program.defs_with_ids() {
        if def.file == program.std_file || matches!(def.kind, DefKind::Module(_)) {
            continue;
        }
        let Some(score) = fuzzy_score(&def.name.text.to_lowercase(), &query) else {
            continue;
        };
        if let Some(mut s) = def_symbol(analysis, id) {
            s.children.clear();
            if def.owner.is_some() {
                s.kind = SymbolKind::Method;
            }
            found.push((score, def.file, s));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.name.cmp(&b.2.name)));
    found.into_iter().map(|(_, f, s)| (f, s)).collect()
}

/// Lower is better; `None` when `query`'s characters are not all in
/// `name`, in order. An exact prefix beats a scattered match.
pub fn fuzzy_score(name: &str, query: &str) -> Option<usize> {
    if name.starts_with(query) {
        return Some(name.len() - query.len());
    }
    let mut chars = name.char_indices();
    let mut gaps = 0;
    let mut last = None;
    for q in query.chars() {
        let (i, _) = chars.find(|(_, c)| *c == q)?;
        if last.is_some_and(|l| i != l + 1) {
            gaps += 1;
        }
        last = Some(i);
    }
    Some(100 + gaps * 10 + name.len())
}
