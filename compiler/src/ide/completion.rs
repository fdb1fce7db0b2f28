//! Completion at a cursor. The text being typed rarely parses (`reading.`
//! has no field yet), so the caller analyses it with [`PLACEHOLDER`]
//! inserted at the cursor (see [`with_placeholder`]), as rust-analyzer
//! does: `reading.__ward_complete` is a field access whose receiver the
//! type checker types, and the placeholder's place in the tree says what
//! kind of name belongs there.

use super::hover;
use crate::analysis::Analysis;
use crate::diagnostics::{FileId, Span};
use crate::resolve::{DefId, DefKind, ModuleId, Prim, Program, TypeRes};
use crate::syntax::ast::{ExprId, ExprKind, Function};
use crate::syntax::{self, FieldsExt};
use crate::types::ty::{Ty, display, is_cloneable};
use tree_sitter::Node;

/// The identifier inserted at the cursor before analysing.
pub const PLACEHOLDER: &str = "__ward_complete";

/// `text` with the placeholder inserted at byte `offset` (clamped to a
/// character boundary).
pub fn with_placeholder(text: &str, offset: usize) -> String {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut out = String::with_capacity(text.len() + PLACEHOLDER.len());
    out.push_str(&text[..at]);
    out.push_str(PLACEHOLDER);
    out.push_str(&text[at..]);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Local,
    Function,
    Method,
    Field,
    Struct,
    Enum,
    Variant,
    Const,
    Module,
    /// A built-in type: `int`, `String`…
    Type,
    Keyword,
    Snippet,
}

/// One proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: Kind,
    /// The type of a variable or field, an item's signature.
    pub detail: Option<String>,
    /// Text to insert as an LSP snippet (`$1`, `$0`), when it is more
    /// than the label (a call's parentheses, a template).
    pub snippet: Option<String>,
    /// The item, for its documentation on resolve.
    pub def: Option<DefId>,
    /// Lower sorts first: 0 locals and members, 1 the module's items,
    /// 2 the standard library, 3 keywords and snippets.
    pub rank: u8,
}

impl Completion {
    /// A proposal that is not an item: a variable, field, type or keyword.
    fn plain(label: impl Into<String>, kind: Kind, detail: Option<String>, rank: u8) -> Completion {
        Completion {
            label: label.into(),
            kind,
            detail,
            snippet: None,
            def: None,
            rank,
        }
    }
}

/// The proposals and the partial word they replace.
#[derive(Debug, Clone, Default)]
pub struct Completions {
    pub items: Vec<Completion>,
    pub replace: Span,
}

/// Completions at `offset` of `file`, where the analysed text has the
/// placeholder inserted at `offset`. `snippets`: whether the client
/// accepts snippet text.
pub fn completions(analysis: &Analysis, file: FileId, offset: u32, snippets: bool) -> Completions {
    let program = &analysis.program;
    let text = &program.file(file).text;
    let cursor = (offset as usize).min(text.len());
    let word_start = text[..cursor]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map_or(cursor, |(i, _)| i);
    let replace = Span::new(
        u32::try_from(word_start).unwrap_or(offset),
        u32::try_from(cursor).unwrap_or(offset),
    );
    let tree = syntax::parse(text);
    let Some(node) = tree
        .root_node()
        .descendant_for_byte_range(cursor, cursor + PLACEHOLDER.len())
    else {
        return Completions::default();
    };
    let root = tree.root_node();
    if ancestors(root, node).any(|n| {
        matches!(
            n.kind(),
            "string_literal" | "char_literal" | "line_comment" | "doc_comment" | "block_comment"
        )
    }) {
        return Completions::default();
    }
    let ctx = Context {
        analysis,
        program,
        cursor,
        text,
        owner: owner_fn(program, file, offset),
        module: module_at(analysis, file, offset),
        snippets,
        call_follows: text
            .get(cursor + PLACEHOLDER.len()..)
            .is_some_and(|after| after.trim_start().starts_with('(')),
    };
    let before = &text[..word_start];
    let mut items = if before.ends_with('.') && !before.ends_with("..") {
        ctx.members(node)
    } else if before.ends_with("::") {
        ctx.path_members(
            before,
            ancestors(root, node).any(|n| n.kind() == "use_item"),
        )
    } else if let Some(list) = field_list_of(node) {
        ctx.struct_fields(list)
    } else if node.kind() == "type_identifier" {
        ctx.types()
    } else if ctx.owner.is_none() || ancestors(root, node).all(|n| n.kind() != "block") {
        ctx.item_keywords()
    } else {
        ctx.expression(node, &tree)
    };
    items.retain(|c| !c.label.contains(PLACEHOLDER) && !c.label.is_empty());
    items.sort_by(|a, b| (a.rank, &a.label).cmp(&(b.rank, &b.label)));
    items.dedup_by(|a, b| a.label == b.label && a.kind == b.kind);
    Completions { items, replace }
}

/// The Markdown documentation of a proposed item: what hovering it shows.
pub fn documentation(analysis: &Analysis, def: DefId) -> String {
    hover::def_hover(analysis, def)
}

/// `node` and its ancestors, innermost first, found from the root down
/// (`Node::parent` searches from the root each time, so a loop of it is
/// quadratic: completion in a 50 000-term line took minutes).
fn ancestors<'t>(root: Node<'t>, node: Node<'t>) -> std::vec::IntoIter<Node<'t>> {
    let mut path = vec![root];
    let mut cur = root;
    while cur.id() != node.id() {
        match cur.child_with_descendant(node) {
            Some(child) if child.id() != cur.id() => {
                path.push(child);
                cur = child;
            }
            _ => break,
        }
    }
    path.reverse();
    path.into_iter()
}

/// The innermost function whose text holds `offset`.
pub(crate) fn owner_fn(program: &Program, file: FileId, offset: u32) -> Option<DefId> {
    program
        .defs_with_ids()
        .filter(|(_, d)| {
            d.file == file
                && matches!(d.kind, DefKind::Fn(_))
                && d.span.start <= offset
                && offset <= d.span.end
        })
        .min_by_key(|(_, d)| d.span.end - d.span.start)
        .map(|(id, _)| id)
}

/// The module whose names are in scope at `offset`: a block with items
/// inside a function, an inline `mod`, or the file's own module.
fn module_at(analysis: &Analysis, file: FileId, offset: u32) -> ModuleId {
    let program = &analysis.program;
    let mut best: Option<(ModuleId, u32)> = None;
    let mut consider = |m: ModuleId, len: u32| {
        if best.is_none_or(|(_, l)| len < l) {
            best = Some((m, len));
        }
    };
    for (i, module) in program.modules.iter().enumerate() {
        if module.file != file || module.is_std || module.is_block {
            continue;
        }
        let id = ModuleId(u32::try_from(i).unwrap_or(0));
        match module.def.map(|d| program.def(d)) {
            Some(def) if def.file == file => {
                if def.span.start <= offset && offset <= def.span.end {
                    consider(id, def.span.end - def.span.start);
                }
            }
            _ => consider(id, u32::MAX),
        }
    }
    for ((owner, expr), m) in &program.block_modules {
        if let DefKind::Fn(f) = &program.def(*owner).kind
            && program.def(*owner).file == file
            && let Some(e) = f.body.exprs.get(expr.index())
            && e.span.start <= offset
            && offset <= e.span.end
        {
            consider(*m, e.span.end - e.span.start);
        }
    }
    best.map_or(program.root, |(m, _)| m)
}

/// The struct literal whose field list the placeholder stands in as a
/// field name (`Point { x: 1, y| }`).
fn field_list_of(node: Node<'_>) -> Option<Node<'_>> {
    let parent = node.parent()?;
    match parent.kind() {
        "shorthand_field_initializer" => parent.parent(),
        "field_initializer" if parent.field("name") == Some(node) => parent.parent(),
        _ => None,
    }
    .filter(|list| list.kind() == "field_initializer_list")
}

struct Context<'a> {
    analysis: &'a Analysis,
    program: &'a Program,
    cursor: usize,
    text: &'a str,
    owner: Option<DefId>,
    module: ModuleId,
    snippets: bool,
    /// The placeholder is followed by `(`: calls get no parentheses added.
    call_follows: bool,
}

impl Context<'_> {
    fn function(&self, owner: DefId) -> Option<&Function> {
        match &self.program.def(owner).kind {
            DefKind::Fn(f) => Some(f),
            _ => None,
        }
    }

    /// A proposal for an item, with its signature or type as detail.
    fn item(&self, d: DefId, rank: u8) -> Completion {
        let program = self.program;
        let def = program.def(d);
        let (kind, detail) = match &def.kind {
            DefKind::Fn(f) => {
                let kind = if f.self_param.is_some() {
                    Kind::Method
                } else {
                    Kind::Function
                };
                (kind, Some(hover::signature(self.analysis, d, f)))
            }
            DefKind::Struct(_) => (Kind::Struct, Some(format!("struct {}", def.name.text))),
            DefKind::Enum(_) => (Kind::Enum, Some(format!("enum {}", def.name.text))),
            DefKind::Variant { .. } => (Kind::Variant, Some(program.def_path(d))),
            DefKind::Const(_) => (
                Kind::Const,
                self.analysis
                    .typed
                    .const_types
                    .get(&d)
                    .map(|t| display(program, t)),
            ),
            DefKind::Module(_) => (Kind::Module, Some(format!("mod {}", def.name.text))),
        };
        let snippet = match &def.kind {
            DefKind::Fn(f) => self.call_snippet(&def.name.text, !f.body.params.is_empty()),
            DefKind::Variant { .. } => {
                // Tuple variants are called like functions: `High($0)`.
                let fields = self.analysis.typed.adts.fields.get(&d);
                let tuple = fields.is_some_and(|fs| {
                    !fs.is_empty() && fs.iter().all(|f| f.name.parse::<u32>().is_ok())
                });
                if tuple {
                    self.call_snippet(&def.name.text, true)
                } else {
                    None
                }
            }
            _ => None,
        };
        Completion {
            label: def.name.text.clone(),
            kind,
            detail,
            snippet,
            def: Some(d),
            rank,
        }
    }

    /// `name($0)` or `name()$0`, when the client takes snippets and no
    /// `(` follows already.
    fn call_snippet(&self, name: &str, has_args: bool) -> Option<String> {
        if !self.snippets || self.call_follows {
            return None;
        }
        Some(if has_args {
            format!("{name}($0)")
        } else {
            format!("{name}()$0")
        })
    }

    // ---------------------------------------------------------------- `x.`

    /// Fields and methods of the receiver of the `.` before the cursor.
    fn members(&self, node: Node<'_>) -> Vec<Completion> {
        let Some(ty) = self.receiver_type(node) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        self.members_of(&ty, &mut out, 0);
        out
    }

    fn receiver_type(&self, node: Node<'_>) -> Option<Ty> {
        let owner = self.owner?;
        let body = &self.function(owner)?.body;
        let types = self.analysis.typed.bodies.get(&owner)?;
        let at =
            |span: Span| span.start as usize <= self.cursor && self.cursor <= span.end as usize;
        let found = body
            .exprs
            .iter()
            .find_map(|e| match &e.kind {
                ExprKind::Field { base, field } if at(field.span()) => Some(*base),
                ExprKind::MethodCall {
                    receiver, method, ..
                } if at(method.span) => Some(*receiver),
                _ => None,
            })
            .or_else(|| {
                // The receiver as the tree has it, if the lowering kept no
                // field access around it.
                let value = node.parent()?.field("value")?;
                let (start, end) = (value.start_byte(), value.end_byte());
                body.exprs
                    .iter()
                    .position(|e| e.span.start as usize == start && e.span.end as usize == end)
                    .and_then(|i| u32::try_from(i).ok().map(ExprId))
            })?;
        let ty = types.expr_ty(found).clone();
        (!matches!(ty, Ty::Error | Ty::Var(_))).then_some(ty)
    }

    fn members_of(&self, ty: &Ty, out: &mut Vec<Completion>, depth: u8) {
        let program = self.program;
        let ty = ty.peel_refs();
        match ty {
            Ty::Adt(d, args) => {
                if matches!(program.def(*d).kind, DefKind::Struct(_)) {
                    let fields = self.analysis.typed.adts.fields.get(d);
                    let types = self.analysis.typed.adts.field_types(*d, args);
                    for (f, t) in fields.into_iter().flatten().zip(types) {
                        let visible =
                            f.is_pub || program.visible(program.def(*d).module, false, self.module);
                        if visible {
                            out.push(Completion::plain(
                                f.name.clone(),
                                Kind::Field,
                                Some(display(program, &t)),
                                0,
                            ));
                        }
                    }
                }
            }
            Ty::Tuple(items) => {
                for (i, t) in items.iter().enumerate() {
                    out.push(Completion::plain(
                        i.to_string(),
                        Kind::Field,
                        Some(display(program, t)),
                        0,
                    ));
                }
            }
            _ => {}
        }
        let Some(res) = type_res(ty) else {
            return;
        };
        for imp in program.impls_by_type.get(&res).into_iter().flatten() {
            for m in &program.impls[imp.0 as usize].methods {
                let def = program.def(*m);
                let hidden = ["deref", "iter", "index"]
                    .iter()
                    .any(|role| def.has_attr(role));
                let is_method = matches!(&def.kind, DefKind::Fn(f) if f.self_param.is_some());
                if is_method && !hidden && program.def_visible(*m, self.module) {
                    out.push(self.item(*m, 0));
                }
            }
        }
        if depth == 0 && is_cloneable(program, ty) && !out.iter().any(|c| c.label == "clone") {
            out.push(Completion {
                label: "clone".into(),
                kind: Kind::Method,
                detail: Some("fn clone(&self) -> Self".into()),
                snippet: self.call_snippet("clone", false),
                def: None,
                rank: 0,
            });
        }
        // `Gc<T>` and other smart pointers: the target's members too.
        if depth < 2
            && let Some(deref) = program.find_role(res, "deref")
            && let Some(sig) = self.analysis.typed.sigs.get(&deref)
        {
            let args = match ty {
                Ty::Adt(_, args) => args.clone(),
                _ => Vec::new(),
            };
            let target = sig.ret.peel_refs().subst(&args);
            self.members_of(&target, out, depth + 1);
        }
    }

    // --------------------------------------------------------------- `a::`

    /// The items of the module, enum or type named before the `::`.
    fn path_members(&self, before: &str, in_use: bool) -> Vec<Completion> {
        let program = self.program;
        let segments = path_before(before);
        let mut container = Container::Module(self.module);
        for (i, segment) in segments.iter().enumerate() {
            container = match (i, segment.as_str(), container) {
                (0, "std", _) => Container::Module(program.std_root),
                (0, "crate", _) => Container::Module(program.root),
                (0, "self", _) => Container::Module(program.normal_module(self.module)),
                (0, "super", _) => {
                    let normal = program.normal_module(self.module);
                    match program.module(normal).parent {
                        Some(p) => Container::Module(program.normal_module(p)),
                        None => return Vec::new(),
                    }
                }
                (0, name, _) => {
                    if let Some(p) = Prim::from_name(name) {
                        Container::Type(TypeRes::Prim(p))
                    } else {
                        match program.lookup_name(self.module, name, crate::resolve::Ns::Types) {
                            Some(d) => container_of(program, d),
                            None => return Vec::new(),
                        }
                    }
                }
                (_, name, Container::Module(m)) => {
                    let Some(def) = program.module(m).def else {
                        // The std root and file modules: look their items up.
                        match program
                            .module(m)
                            .items
                            .get(name)
                            .and_then(|p| p.types.or(p.values))
                        {
                            Some(d) => {
                                container = container_of(program, d);
                                continue;
                            }
                            None => return Vec::new(),
                        }
                    };
                    match program.member(def, name, crate::resolve::Ns::Types) {
                        Some(d) => container_of(program, d),
                        None => return Vec::new(),
                    }
                }
                _ => return Vec::new(),
            };
        }
        let mut out = Vec::new();
        match container {
            Container::Module(m) => {
                let rank = if program.module(m).is_std { 2 } else { 1 };
                for per_ns in program.module(m).items.values() {
                    for d in [per_ns.types, per_ns.values].into_iter().flatten() {
                        if program.def_visible(d, self.module) {
                            out.push(self.item(d, rank));
                        }
                    }
                }
                if segments.is_empty() && in_use {
                    out.push(keyword("std", 2));
                }
            }
            Container::Enum(e) => {
                for v in program.variants(e) {
                    out.push(self.item(v, 0));
                }
                self.assoc_fns(TypeRes::Def(e), &mut out);
            }
            Container::Type(res) => self.assoc_fns(res, &mut out),
        }
        out
    }

    /// Associated functions without `self` (constructors), for `Type::`.
    fn assoc_fns(&self, res: TypeRes, out: &mut Vec<Completion>) {
        let program = self.program;
        for imp in program.impls_by_type.get(&res).into_iter().flatten() {
            for m in &program.impls[imp.0 as usize].methods {
                let def = program.def(*m);
                if let DefKind::Fn(f) = &def.kind
                    && f.self_param.is_none()
                    && !def.has_attr("deref")
                    && program.def_visible(*m, self.module)
                {
                    out.push(self.item(*m, 0));
                }
            }
        }
    }

    // ---------------------------------------------------- `Point { x| }`

    /// The fields of the struct being built that are not given yet.
    fn struct_fields(&self, list: Node<'_>) -> Vec<Completion> {
        let program = self.program;
        let Some(owner) = self.owner else {
            return Vec::new();
        };
        let Some(types) = self.analysis.typed.bodies.get(&owner) else {
            return Vec::new();
        };
        let Some(f) = self.function(owner) else {
            return Vec::new();
        };
        let Some(literal) = list.parent() else {
            return Vec::new();
        };
        let (start, end) = (literal.start_byte(), literal.end_byte());
        let Some(d) = f
            .body
            .exprs
            .iter()
            .enumerate()
            .find(|(_, e)| {
                matches!(e.kind, ExprKind::Struct { .. })
                    && e.span.start as usize == start
                    && e.span.end as usize == end
            })
            .and_then(|(i, _)| types.expr_defs.get(&ExprId(u32::try_from(i).ok()?)))
        else {
            return Vec::new();
        };
        let given: Vec<&str> = {
            let mut cursor = list.walk();
            list.children(&mut cursor)
                .filter_map(|c| {
                    let name = match c.kind() {
                        "shorthand_field_initializer" | "field_initializer" => c.field("name"),
                        _ => None,
                    }?;
                    self.text.get(name.byte_range())
                })
                .collect()
        };
        let fields = self.analysis.typed.adts.fields.get(d);
        fields
            .into_iter()
            .flatten()
            .filter(|field| !given.contains(&field.name.as_str()))
            .map(|field| {
                Completion::plain(
                    field.name.clone(),
                    Kind::Field,
                    Some(display(program, &field.ty)),
                    0,
                )
            })
            .collect()
    }

    // ------------------------------------------------------------- types

    fn types(&self) -> Vec<Completion> {
        let mut out: Vec<Completion> = ["int", "float", "bool", "char", "String"]
            .iter()
            .map(|name| Completion::plain(*name, Kind::Type, None, 2))
            .collect();
        for (d, rank) in self.scope_items() {
            if matches!(
                self.program.def(d).kind,
                DefKind::Struct(_) | DefKind::Enum(_) | DefKind::Module(_)
            ) {
                let mut item = self.item(d, rank);
                item.snippet = None;
                out.push(item);
            }
        }
        if let Some(f) = self.owner.and_then(|o| self.function(o)) {
            for name in f.generics.types() {
                out.push(Completion::plain(
                    name.text.clone(),
                    Kind::Type,
                    Some("type parameter".into()),
                    0,
                ));
            }
        }
        out
    }

    /// Every item visible by a single name from the cursor's module: its
    /// own items and imports, the enclosing module's for blocks, then the
    /// prelude. Ranked 1, or 2 for the standard library.
    fn scope_items(&self) -> Vec<(DefId, u8)> {
        let program = self.program;
        let mut out = Vec::new();
        let mut cur = self.module;
        loop {
            let module = program.module(cur);
            for per_ns in module.items.values() {
                out.extend([per_ns.types, per_ns.values].into_iter().flatten());
            }
            for entry in &module.imports {
                if entry.import.binding().is_some() {
                    out.extend(
                        [entry.target.types, entry.target.values]
                            .into_iter()
                            .flatten(),
                    );
                }
                if let Some(source) = entry.glob_source {
                    out.extend(glob_members(program, source));
                }
            }
            match module.parent {
                Some(p) if module.is_block => cur = p,
                _ => break,
            }
        }
        let std_root = program.module(program.std_root);
        out.extend(
            std_root
                .items
                .values()
                .flat_map(|p| [p.types, p.values].into_iter().flatten()),
        );
        out.into_iter()
            .filter(|d| program.def_visible(*d, self.module))
            .map(|d| (d, if program.is_std_def(d) { 2 } else { 1 }))
            .collect()
    }

    // -------------------------------------------------------- expressions

    fn expression(&self, node: Node<'_>, tree: &tree_sitter::Tree) -> Vec<Completion> {
        let mut out = self.locals(tree);
        for (d, rank) in self.scope_items() {
            // `#[native]` helpers the prelude hides are not for people.
            if self.program.def(d).name.text.starts_with("__") {
                continue;
            }
            out.push(self.item(d, rank));
        }
        let in_method = self
            .owner
            .and_then(|o| self.function(o))
            .is_some_and(|f| f.self_param.is_some());
        for kw in EXPRESSION_KEYWORDS {
            out.push(keyword(kw, 3));
        }
        if in_method {
            out.push(keyword("self", 0));
        }
        out.push(keyword("std", 2));
        // An item snippet makes no sense as a call's argument.
        if ancestors(tree.root_node(), node).any(|n| n.kind() == "arguments") {
            out.extend(self.snippets_for(&["match"]));
        } else {
            out.extend(self.snippets_for(&["fn", "match"]));
        }
        out
    }

    /// The variables in scope at the cursor, each once (the innermost
    /// of a shadowed name), with their types.
    fn locals(&self, tree: &tree_sitter::Tree) -> Vec<Completion> {
        let Some(owner) = self.owner else {
            return Vec::new();
        };
        let Some(types) = self.analysis.typed.bodies.get(&owner) else {
            return Vec::new();
        };
        let mut visible: Vec<&crate::types::Local> = types
            .locals
            .iter()
            .filter(|l| {
                (l.span.end as usize) <= self.cursor
                    && binding_scope(tree.root_node(), l.span)
                        .is_some_and(|scope| scope.contains(&self.cursor))
            })
            .collect();
        // The latest declaration of a name shadows the earlier ones.
        visible.sort_by_key(|l| std::cmp::Reverse(l.span.start));
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for local in visible {
            if seen.contains(&local.name.as_str()) {
                continue;
            }
            seen.push(local.name.as_str());
            out.push(Completion::plain(
                local.name.clone(),
                Kind::Local,
                Some(display(self.program, &local.ty)),
                0,
            ));
        }
        out
    }

    fn item_keywords(&self) -> Vec<Completion> {
        let mut out: Vec<Completion> = ITEM_KEYWORDS.iter().map(|kw| keyword(kw, 3)).collect();
        out.extend(self.snippets_for(&["fn", "test"]));
        out
    }

    fn snippets_for(&self, which: &[&str]) -> Vec<Completion> {
        if !self.snippets {
            return Vec::new();
        }
        SNIPPETS
            .iter()
            .filter(|(name, ..)| which.contains(name))
            .map(|(name, detail, body)| Completion {
                label: (*name).to_string(),
                kind: Kind::Snippet,
                detail: Some((*detail).to_string()),
                snippet: Some((*body).to_string()),
                def: None,
                rank: 3,
            })
            .collect()
    }
}

const EXPRESSION_KEYWORDS: &[&str] = &[
    "as", "break", "continue", "defer", "else", "false", "for", "if", "in", "let", "loop", "match",
    "move", "mut", "recover", "ref", "return", "true", "try", "while", "zone",
];

const ITEM_KEYWORDS: &[&str] = &[
    "const", "enum", "fn", "impl", "mod", "pub", "struct", "use", "uses",
];

/// Templates: name, description, snippet text.
const SNIPPETS: &[(&str, &str, &str)] = &[
    ("fn", "fn name(…) { … }", "fn ${1:name}(${2}) {\n    $0\n}"),
    (
        "match",
        "match value { pattern => … }",
        "match ${1:value} {\n    ${2:_} => $0,\n}",
    ),
    (
        "test",
        "#[test] fn name() { … }",
        "#[test]\nfn ${1:name}() {\n    $0\n}",
    ),
];

fn keyword(kw: &str, rank: u8) -> Completion {
    Completion::plain(kw, Kind::Keyword, None, rank)
}

#[derive(Debug, Clone, Copy)]
enum Container {
    Module(ModuleId),
    Enum(DefId),
    Type(TypeRes),
}

fn container_of(program: &Program, d: DefId) -> Container {
    match &program.def(d).kind {
        DefKind::Module(m) => Container::Module(*m),
        DefKind::Enum(_) => Container::Enum(d),
        _ => Container::Type(TypeRes::Def(d)),
    }
}

/// The items a glob import brings in.
fn glob_members(program: &Program, source: DefId) -> Vec<DefId> {
    match &program.def(source).kind {
        DefKind::Module(m) => program
            .module(*m)
            .items
            .values()
            .flat_map(|p| [p.types, p.values].into_iter().flatten())
            .collect(),
        DefKind::Enum(_) => program.variants(source),
        _ => Vec::new(),
    }
}

/// `a::b::` at the end of `before`: `["a", "b"]`.
fn path_before(before: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut rest = before;
    while let Some(stripped) = rest.strip_suffix("::") {
        let start = stripped
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
            .last()
            .map_or(stripped.len(), |(i, _)| i);
        if start == stripped.len() {
            break;
        }
        segments.push(stripped[start..].to_string());
        rest = &stripped[..start];
    }
    segments.reverse();
    segments
}

/// The type a method table is keyed by.
fn type_res(ty: &Ty) -> Option<TypeRes> {
    Some(match ty {
        Ty::Int => TypeRes::Prim(Prim::Int),
        Ty::Float => TypeRes::Prim(Prim::Float),
        Ty::Bool => TypeRes::Prim(Prim::Bool),
        Ty::Char => TypeRes::Prim(Prim::Char),
        Ty::Str => TypeRes::Prim(Prim::Str),
        Ty::Adt(d, _) => TypeRes::Def(*d),
        _ => return None,
    })
}

/// Where a binding declared at `span` can be named: the rest of its
/// block after a `let`, a function's or closure's body for parameters,
/// a loop's body, a match arm, the block after `if let`/`while let`.
fn binding_scope(root: Node<'_>, span: Span) -> Option<std::ops::Range<usize>> {
    let mut child = root.descendant_for_byte_range(span.start as usize, span.end as usize)?;
    while let Some(parent) = child.parent() {
        let body =
            |owner: Node<'_>, field: &str| owner.field(field).map(|b| b.start_byte()..b.end_byte());
        match parent.kind() {
            "let_declaration" => {
                let block = parent.parent()?;
                return Some(parent.end_byte()..block.end_byte());
            }
            "parameters" | "closure_parameters" => return body(parent.parent()?, "body"),
            "for_expression" if parent.field("pattern") == Some(child) => {
                return body(parent, "body");
            }
            "match_arm" => return Some(child.end_byte()..parent.end_byte()),
            "let_condition" => {
                let owner = parent.parent()?;
                return body(owner, "consequence").or_else(|| body(owner, "body"));
            }
            "try_expression_block" => return body(parent, "handler"),
            _ => {}
        }
        child = parent;
    }
    None
}

#[cfg(test)]
mod tests;
