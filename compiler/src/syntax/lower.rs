//! Lowering: the tree-sitter tree to the AST. It reads nodes by field name
//! only, so the grammar's token layout can change without touching this
//! file. It never fails: a missing field or an `ERROR` node becomes a
//! `Missing` node (the syntax error is reported separately, by
//! [`super::syntax_errors`]); items found inside top-level `ERROR` nodes are
//! still lowered, so the intact parts of a half-typed file are checked.
//!
//! Literal values are decoded here (escapes, radixes, underscores); a literal
//! that does not decode is a diagnostic.

use super::FieldsExt;
use super::ast::{
    ArrayLen, Attribute, BinaryOp, Block, Body, ClosureParam, Condition, ConstDef, EnumDef, Expr,
    ExprId, ExprKind, FieldDef, FieldInit, FieldName, FieldPat, Fields, Function, GenericArg,
    GenericParam, Generics, Impl, Import, Item, ItemKind, Literal, LoopAttrs, MatchArm, ModuleDef,
    Name, Param, Pat, PatId, PatKind, Path, PathSegment, SelfParam, SourceFile, Stmt, StructDef,
    TypeRef, UnaryOp, UseTree, Variant,
};
use crate::diagnostics::{Diagnostic, FileId, FileSpan, Span, codes};
use tree_sitter::Node;

/// Lowers a parsed file. `diagnostics` receives literal errors.
///
/// Top-level items are lowered on every core (each is independent); the
/// result, diagnostics included, is the same as one lowering in order.
pub fn lower_file(
    tree: &tree_sitter::Tree,
    text: &str,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) -> SourceFile {
    lower_trees(std::slice::from_ref(tree), text, file, diagnostics)
}

/// [`lower_file`] for a file parsed as several trees that cover it in
/// order: each tree's items are lowered on every core.
pub fn lower_trees(
    trees: &[tree_sitter::Tree],
    text: &str,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) -> SourceFile {
    let children: Vec<ItemNode> = trees
        .iter()
        .flat_map(|tree| {
            Lowerer::new(text, file, &mut Vec::new()).item_nodes(tree.root_node(), "item")
        })
        .collect();
    let lowered = crate::parallel::map(&children, &|| false, &|child| {
        let mut diagnostics = Vec::new();
        let mut items = Vec::new();
        Lowerer::new(text, file, &mut diagnostics).lower_item_node(child, &mut items);
        (items, diagnostics)
    });
    let mut items = Vec::new();
    let mut all_diagnostics = Vec::new();
    for (lowered_items, lowered_diagnostics) in lowered.into_iter().flatten() {
        items.extend(lowered_items);
        all_diagnostics.extend(lowered_diagnostics);
    }
    push_once_too_deep(diagnostics, all_diagnostics);
    SourceFile { items }
}

/// The items of one tree lowered in order on this thread, with the
/// lowering's diagnostics (for [`crate::syntax::lower_in_pieces`], whose
/// workers each lower the piece they parsed).
pub(super) fn lower_items_here(
    tree: &tree_sitter::Tree,
    text: &str,
    file: FileId,
) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut items = Vec::new();
    let mut lowerer = Lowerer::new(text, file, &mut diagnostics);
    for child in lowerer.item_nodes(tree.root_node(), "item") {
        lowerer.lower_item_node(&child, &mut items);
    }
    (items, diagnostics)
}

/// Lowered top-level items by their text and doc comment, for
/// [`lower_file_cached`].
#[derive(Debug, Default)]
pub struct LowerCache {
    entries: crate::FxHashMap<u64, CachedItem>,
    /// Items reused and lowered by the last call (for tests and benchmarks).
    pub hits: usize,
    pub misses: usize,
}

/// An item's syntax, whose bodies the program that last used it shares.
#[derive(Debug)]
struct CachedItem {
    /// Where the item starts in the program that last used it.
    start: u32,
    items: Vec<Item>,
    diagnostics: Vec<Diagnostic>,
}

/// [`lower_file`], reusing the items whose text is unchanged since an
/// earlier call with the same cache (moved to where they are now). The
/// cache keeps only this file's current items.
pub fn lower_file_cached(
    tree: &tree_sitter::Tree,
    text: &str,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
    cache: &mut LowerCache,
) -> SourceFile {
    use crate::syntax::shift::Shift;
    use std::hash::{Hash, Hasher};
    let root = tree.root_node();
    let children = Lowerer::new(text, file, &mut Vec::new()).item_nodes(root, "item");
    // An item with syntax errors in it is lowered every time: what error
    // recovery made of it depends on the text around it.
    let key = |child: &ItemNode| match child {
        ItemNode::Item(node, doc) if !node.has_error() => {
            let mut h = std::hash::DefaultHasher::new();
            (text.get(node.byte_range()), doc).hash(&mut h);
            Some(h.finish())
        }
        ItemNode::Item(..) | ItemNode::Error(_) => None,
    };
    let keys: Vec<Option<u64>> = children.iter().map(key).collect();
    // Each child's cached entry, if any (taken out of the old cache), then
    // the reused items copied and moved on every core.
    let reused: Vec<Option<CachedItem>> = keys
        .iter()
        .map(|k| k.and_then(|k| cache.entries.remove(&k)))
        .collect();
    // The rest are lowered (a second item with the same text as another
    // is lowered too: an entry serves one item).
    let todo: Vec<usize> = (0..children.len())
        .filter(|&i| reused[i].is_none())
        .collect();
    let lowered = crate::parallel::map(&todo, &|| false, &|&i| {
        let mut diagnostics = Vec::new();
        let mut items = Vec::new();
        Lowerer::new(text, file, &mut diagnostics).lower_item_node(&children[i], &mut items);
        (items, diagnostics)
    });
    let mut fresh: crate::FxHashMap<usize, (Vec<Item>, Vec<Diagnostic>)> = todo
        .into_iter()
        .zip(lowered)
        .filter_map(|(i, r)| Some((i, r?)))
        .collect();
    let starts: Vec<u32> = children
        .iter()
        .map(|child| match child {
            ItemNode::Item(node, _) | ItemNode::Error(node) => span(*node).start,
        })
        .collect();
    // The reused items, taken out of their entries and moved on every
    // core: a body the previous program still holds is copied before it
    // moves, one only the cache held moves in place.
    let hits: Vec<(usize, std::sync::Mutex<Option<CachedItem>>)> = reused
        .into_iter()
        .enumerate()
        .filter_map(|(i, entry)| Some((i, std::sync::Mutex::new(Some(entry?)))))
        .collect();
    let moved = crate::parallel::map(&hits, &|| false, &|(i, entry)| {
        let entry = entry.lock().ok()?.take()?;
        let delta = i64::from(starts[*i]) - i64::from(entry.start);
        let (mut items, mut diagnostics) = (entry.items, entry.diagnostics);
        if delta != 0 {
            items.shift(delta);
            for d in &mut diagnostics {
                d.shift(delta);
            }
        }
        Some((items, diagnostics))
    });
    let mut moved: crate::FxHashMap<usize, (Vec<Item>, Vec<Diagnostic>)> = hits
        .into_iter()
        .zip(moved)
        .filter_map(|((i, _), r)| Some((i, r??)))
        .collect();
    let mut entries = crate::FxHashMap::default();
    let (mut hits, mut misses) = (0, 0);
    let mut items = Vec::new();
    let mut all_diagnostics = Vec::new();
    for i in 0..children.len() {
        let (these, these_diagnostics) = if let Some(found) = moved.remove(&i) {
            hits += 1;
            found
        } else {
            misses += 1;
            fresh.remove(&i).unwrap_or_default()
        };
        // The entry shares the program's bodies (copying an item copies
        // its signature, not its body).
        if let Some(k) = keys[i] {
            entries.insert(
                k,
                CachedItem {
                    start: starts[i],
                    items: these.clone(),
                    diagnostics: these_diagnostics.clone(),
                },
            );
        }
        items.extend(these);
        all_diagnostics.extend(these_diagnostics);
    }
    cache.entries = entries;
    cache.hits = hits;
    cache.misses = misses;
    push_once_too_deep(diagnostics, all_diagnostics);
    SourceFile { items }
}

/// Appends per-item diagnostics, keeping only the first W0002 (it is
/// reported once per file).
pub(super) fn push_once_too_deep(out: &mut Vec<Diagnostic>, diagnostics: Vec<Diagnostic>) {
    let mut too_deep = false;
    for d in diagnostics {
        if d.code == codes::NESTED_TOO_DEEPLY {
            if too_deep {
                continue;
            }
            too_deep = true;
        }
        out.push(d);
    }
}

/// A child of a node holding items: an item with its doc comment, or an
/// `ERROR` node that may hold intact items.
enum ItemNode<'tree> {
    Item(Node<'tree>, Option<String>),
    Error(Node<'tree>),
}

struct Lowerer<'t, 'd> {
    text: &'t str,
    file: FileId,
    diagnostics: &'d mut Vec<Diagnostic>,
    /// Nesting of the item, block, expression, pattern or type being
    /// lowered (see [`MAX_NESTING`]).
    depth: u32,
    /// W0002 was reported for this file.
    too_deep: bool,
}

/// Deepest nesting of items, blocks, expressions, patterns and types the
/// compiler accepts. Deeper input is W0002 and lowered as missing, so every
/// later pass (all of them walk the AST recursively) sees at most this
/// depth; the CLI and the server run analysis on threads whose stacks are
/// sized for it (`ward_compiler::ANALYSIS_STACK`).
pub const MAX_NESTING: u32 = 1000;

fn span(node: Node) -> Span {
    Span::new(
        u32::try_from(node.start_byte()).unwrap_or(u32::MAX),
        u32::try_from(node.end_byte()).unwrap_or(u32::MAX),
    )
}

fn usable(node: &Node) -> bool {
    !node.is_error() && !node.is_missing()
}

/// Builder for one body's arenas.
#[derive(Default)]
struct BodyBuilder {
    body: Body,
}

impl BodyBuilder {
    fn expr(&mut self, kind: ExprKind, span: Span) -> ExprId {
        let id = ExprId(u32::try_from(self.body.exprs.len()).unwrap_or(u32::MAX));
        self.body.exprs.push(Expr { kind, span });
        id
    }

    fn pat(&mut self, kind: PatKind, span: Span) -> PatId {
        let id = PatId(u32::try_from(self.body.pats.len()).unwrap_or(u32::MAX));
        self.body.pats.push(Pat { kind, span });
        id
    }
}

impl<'t, 'd> Lowerer<'t, 'd> {
    fn new(text: &'t str, file: FileId, diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        Lowerer {
            text,
            file,
            diagnostics,
            depth: 0,
            too_deep: false,
        }
    }
    fn text_of(&self, node: Node) -> &str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    fn name(&self, node: Node) -> Name {
        Name {
            text: self.text_of(node).to_string(),
            span: span(node),
        }
    }

    fn field_name(&self, node: Node, field: &str) -> Name {
        match node.field(field).filter(usable) {
            Some(child) => self.name(child),
            None => Name {
                text: String::new(),
                span: span(node).shrink_to_hi(),
            },
        }
    }

    fn error(&mut self, node: Node, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(
            codes::SYNTAX,
            FileSpan::new(self.file, span(node)),
            message,
        ));
    }

    /// Enters one level of nesting at `node`; `false` (with W0002, once per
    /// file) past [`MAX_NESTING`].
    fn enter(&mut self, node: Node) -> bool {
        if self.depth >= MAX_NESTING {
            if !self.too_deep {
                self.too_deep = true;
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::NESTED_TOO_DEEPLY,
                        FileSpan::new(self.file, span(node)),
                        format!("nested too deeply: more than {MAX_NESTING} levels"),
                    )
                    .with_label("this is nested too deeply")
                    .with_note("blocks, expressions, patterns, types and items may nest at most this deep; split the expression with `let` bindings or helper functions"),
                );
            }
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The items under `node`'s `field` children, plus items the parser left
    /// inside `ERROR` children (error recovery keeps them intact).
    fn items_of(&mut self, node: Node, field: &str, out: &mut Vec<Item>) {
        for child in self.item_nodes(node, field) {
            self.lower_item_node(&child, out);
        }
    }

    fn lower_item_node(&mut self, child: &ItemNode, out: &mut Vec<Item>) {
        match child {
            ItemNode::Item(node, doc) => {
                if let Some(item) = self.item_documented(*node, doc.clone()) {
                    out.push(item);
                }
            }
            ItemNode::Error(node) => self.items_in_error(*node, out),
        }
    }

    /// The items under `node`'s `field` children, and its `ERROR` children.
    fn item_nodes<'tree>(&self, node: Node<'tree>, field: &str) -> Vec<ItemNode<'tree>> {
        // One cursor walk: asking a node for a child's field name or its
        // previous sibling scans its children from the first, which made
        // a file of many items quadratic.
        let mut out = Vec::new();
        let mut doc: Vec<Node> = Vec::new();
        let mut cursor = node.walk();
        let mut more = cursor.goto_first_child();
        while more {
            let child = cursor.node();
            if child.kind() == "doc_comment" {
                doc.push(child);
            } else {
                if cursor.field_name() == Some(field) {
                    out.push(ItemNode::Item(child, self.doc_text(doc.iter().copied())));
                } else if child.is_error() {
                    out.push(ItemNode::Error(child));
                }
                doc.clear();
            }
            more = cursor.goto_next_sibling();
        }
        out
    }

    fn items_in_error(&mut self, node: Node, out: &mut Vec<Item>) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            if is_item_kind(child.kind()) && !child.has_error() {
                if let Some(item) = self.item(child) {
                    out.push(item);
                }
            } else if child.is_error() {
                self.items_in_error(child, out);
            }
        }
    }

    /// The `///` comments right before `node`, joined.
    fn doc_before(&self, node: Node) -> Option<String> {
        let mut comments = Vec::new();
        let mut prev = node.prev_sibling();
        while let Some(p) = prev.filter(|p| p.kind() == "doc_comment") {
            comments.push(p);
            prev = p.prev_sibling();
        }
        comments.reverse();
        self.doc_text(comments.into_iter())
    }

    /// Doc comment nodes, in order, as the item's documentation.
    fn doc_text<'n>(&self, comments: impl Iterator<Item = Node<'n>>) -> Option<String> {
        let lines: Vec<&str> = comments
            .map(|p| {
                let text = self.text_of(p);
                let line = text.strip_prefix("///").unwrap_or(text);
                line.strip_prefix(' ').unwrap_or(line).trim_end()
            })
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    fn attributes(&self, node: Node) -> Vec<Attribute> {
        let Some(attrs) = node.field("attributes") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut cursor = attrs.walk();
        for item in attrs.fields("attribute", &mut cursor) {
            let Some(attr) = item.field("attribute") else {
                continue;
            };
            let name = attr
                .field("name")
                .map(|n| self.text_of(n).to_string())
                .unwrap_or_default();
            let mut args = Vec::new();
            if let Some(arguments) = attr.field("arguments") {
                let mut c = arguments.walk();
                for arg in arguments.fields("argument", &mut c) {
                    args.push(self.text_of(arg).to_string());
                }
            }
            out.push(Attribute {
                name,
                args,
                span: span(item),
            });
        }
        out
    }

    fn item(&mut self, node: Node) -> Option<Item> {
        let doc = self.doc_before(node);
        self.item_documented(node, doc)
    }

    fn item_documented(&mut self, node: Node, doc: Option<String>) -> Option<Item> {
        if !self.enter(node) {
            return None;
        }
        let item = self.item_inner(node, doc);
        self.leave();
        item
    }

    fn item_inner(&mut self, node: Node, doc: Option<String>) -> Option<Item> {
        let kind = match node.kind() {
            "function_item" => ItemKind::Fn(self.function(node)),
            "struct_item" => ItemKind::Struct(self.struct_item(node)),
            "enum_item" => ItemKind::Enum(self.enum_item(node)),
            "impl_item" => ItemKind::Impl(self.impl_item(node)),
            "use_item" => ItemKind::Use(self.use_item(node)),
            "module_item" => ItemKind::Mod(self.module_item(node)),
            "const_item" => ItemKind::Const(self.const_item(node)),
            _ => return None,
        };
        Some(Item {
            kind,
            is_pub: node.field("visibility").is_some(),
            attrs: self.attributes(node),
            doc,
            span: span(node),
        })
    }

    fn generics(&self, node: Node) -> Generics {
        let Some(params) = node.field("type_parameters") else {
            return Generics::default();
        };
        let mut out = Vec::new();
        let mut cursor = params.walk();
        for param in params.fields("parameter", &mut cursor) {
            let is_lifetime = param.kind() == "lifetime_parameter";
            let name = self.field_name(param, "name");
            let mut bounds = Vec::new();
            let mut c = param.walk();
            for bound in param.fields("bound", &mut c) {
                bounds.push(self.name(bound));
            }
            out.push(GenericParam {
                name,
                is_lifetime,
                bounds,
            });
        }
        Generics { params: out }
    }

    fn function(&mut self, node: Node) -> Function {
        let name = self.field_name(node, "name");
        let generics = self.generics(node);
        let mut builder = BodyBuilder::default();
        let mut self_param = None;
        if let Some(params) = node.field("parameters") {
            let mut cursor = params.walk();
            let list: Vec<Node> = params.fields("parameter", &mut cursor).collect();
            for param in list {
                if param.kind() == "self_parameter" {
                    self_param = Some(SelfParam {
                        reference: param.field("reference").is_some(),
                        mutable: param.field("mutable").is_some(),
                        lifetime: param.field("lifetime").map(|l| self.name(l)),
                        span: span(param),
                    });
                } else {
                    let pat = self.pattern_field(&mut builder, param, "pattern");
                    let ty = self.type_field(param, "type");
                    builder.body.params.push(Param {
                        pat,
                        ty,
                        span: span(param),
                    });
                }
            }
        }
        let ret = node.field("return_type").map(|t| self.type_ref(t));
        let mut caps = Vec::new();
        if let Some(uses) = node.field("capabilities") {
            let mut cursor = uses.walk();
            for cap in uses.fields("capability", &mut cursor) {
                caps.push(self.name(cap));
            }
        }
        let body_node = node.field("body");
        let sig_end = body_node.map_or(node.end_byte(), |b| b.start_byte());
        let sig_span = Span::new(span(node).start, u32::try_from(sig_end).unwrap_or(u32::MAX));
        builder.body.root = Some(match body_node {
            Some(b) => self.expr(&mut builder, b),
            None => builder.expr(ExprKind::Missing, sig_span.shrink_to_hi()),
        });
        Function {
            name,
            generics,
            self_param,
            ret,
            caps,
            body: std::sync::Arc::new(builder.body),
            sig_span,
        }
    }

    fn fields(&mut self, body: Option<Node>) -> Fields {
        let Some(body) = body else {
            return Fields::Unit;
        };
        let mut cursor = body.walk();
        let list: Vec<Node> = body.fields("field", &mut cursor).collect();
        if body.kind() == "ordered_field_declaration_list" {
            let fields = list
                .into_iter()
                .enumerate()
                .map(|(i, f)| FieldDef {
                    name: Name {
                        text: i.to_string(),
                        span: span(f),
                    },
                    ty: self.type_field(f, "type"),
                    is_pub: f.field("visibility").is_some(),
                    span: span(f),
                })
                .collect();
            Fields::Tuple(fields)
        } else {
            let fields = list
                .into_iter()
                .map(|f| FieldDef {
                    name: self.field_name(f, "name"),
                    ty: self.type_field(f, "type"),
                    is_pub: f.field("visibility").is_some(),
                    span: span(f),
                })
                .collect();
            Fields::Named(fields)
        }
    }

    fn struct_item(&mut self, node: Node) -> StructDef {
        StructDef {
            name: self.field_name(node, "name"),
            generics: self.generics(node),
            fields: self.fields(node.field("body")),
        }
    }

    fn enum_item(&mut self, node: Node) -> EnumDef {
        let mut variants = Vec::new();
        if let Some(body) = node.field("body") {
            let mut cursor = body.walk();
            let list: Vec<Node> = body.fields("variant", &mut cursor).collect();
            for v in list {
                let discriminant = v.field("value").map(|value| {
                    let mut builder = BodyBuilder::default();
                    builder.body.root = Some(self.expr(&mut builder, value));
                    builder.body
                });
                variants.push(Variant {
                    name: self.field_name(v, "name"),
                    fields: self.fields(v.field("body")),
                    discriminant,
                    span: span(v),
                });
            }
        }
        EnumDef {
            name: self.field_name(node, "name"),
            generics: self.generics(node),
            variants,
        }
    }

    fn impl_item(&mut self, node: Node) -> Impl {
        let mut items = Vec::new();
        if let Some(body) = node.field("body") {
            self.items_of(body, "item", &mut items);
        }
        Impl {
            generics: self.generics(node),
            self_ty: self.type_field(node, "type"),
            items,
        }
    }

    fn module_item(&mut self, node: Node) -> ModuleDef {
        let items = node.field("body").map(|body| {
            let mut items = Vec::new();
            self.items_of(body, "item", &mut items);
            items
        });
        ModuleDef {
            name: self.field_name(node, "name"),
            items,
        }
    }

    fn const_item(&mut self, node: Node) -> ConstDef {
        let mut builder = BodyBuilder::default();
        let value = self.expr_field(&mut builder, node, "value");
        builder.body.root = Some(value);
        ConstDef {
            name: self.field_name(node, "name"),
            ty: self.type_field(node, "type"),
            body: std::sync::Arc::new(builder.body),
        }
    }

    fn use_item(&mut self, node: Node) -> UseTree {
        let mut tree = UseTree::default();
        if let Some(root) = node.field("tree") {
            self.use_tree(root, &[], &mut tree.imports);
        }
        tree
    }

    /// The names of `a::b::c` (a loop: a path may be as long as the line).
    fn path_names(&self, node: Node, out: &mut Vec<Name>) {
        let mut chain = vec![node];
        while let Some(inner) = chain
            .last()
            .filter(|n| n.kind() == "scoped_identifier")
            .and_then(|n| n.field("path"))
        {
            chain.push(inner);
        }
        for n in chain.into_iter().rev() {
            match n.kind() {
                "scoped_identifier" => out.push(self.field_name(n, "name")),
                _ => out.push(self.name(n)),
            }
        }
    }

    fn use_tree(&mut self, node: Node, prefix: &[Name], out: &mut Vec<Import>) {
        if !self.enter(node) {
            return;
        }
        self.use_tree_inner(node, prefix, out);
        self.leave();
    }

    fn use_tree_inner(&mut self, node: Node, prefix: &[Name], out: &mut Vec<Import>) {
        let mut path = prefix.to_vec();
        match node.kind() {
            "identifier" | "self" | "scoped_identifier" => {
                self.path_names(node, &mut path);
                out.push(Import {
                    path,
                    alias: None,
                    glob: false,
                    span: span(node),
                });
            }
            "use_as_clause" => {
                if let Some(p) = node.field("path") {
                    self.path_names(p, &mut path);
                }
                let alias = node.field("alias").filter(usable).map(|a| self.name(a));
                out.push(Import {
                    path,
                    alias,
                    glob: false,
                    span: span(node),
                });
            }
            "use_wildcard" => {
                if let Some(p) = node.field("path") {
                    self.path_names(p, &mut path);
                }
                out.push(Import {
                    path,
                    alias: None,
                    glob: true,
                    span: span(node),
                });
            }
            "scoped_use_list" => {
                if let Some(p) = node.field("path") {
                    self.path_names(p, &mut path);
                }
                if let Some(list) = node.field("list") {
                    self.use_tree(list, &path, out);
                }
            }
            "use_list" => {
                let mut cursor = node.walk();
                let items: Vec<Node> = node.fields("item", &mut cursor).collect();
                for item in items {
                    self.use_tree(item, prefix, out);
                }
            }
            _ => {}
        }
    }

    // -----------------------------------------------------------------------
    // Types

    fn type_field(&mut self, node: Node, field: &str) -> TypeRef {
        match node.field(field) {
            Some(t) => self.type_ref(t),
            None => TypeRef::Error(span(node).shrink_to_hi()),
        }
    }

    fn type_args(&mut self, node: Option<Node>) -> Vec<GenericArg> {
        let Some(node) = node else { return Vec::new() };
        let mut cursor = node.walk();
        let list: Vec<Node> = node.fields("argument", &mut cursor).collect();
        list.into_iter()
            .map(|arg| {
                if arg.kind() == "lifetime" {
                    GenericArg::Lifetime(self.name(arg))
                } else {
                    GenericArg::Type(self.type_ref(arg))
                }
            })
            .collect()
    }

    /// A path from `type_identifier`, `scoped_type_identifier`,
    /// `scoped_identifier`, `identifier`, `generic_type(_with_turbofish)`.
    fn path(&mut self, node: Node) -> Path {
        let mut segments = Vec::new();
        self.path_into(node, &mut segments);
        if segments.is_empty() {
            segments.push(PathSegment {
                name: Name {
                    text: String::new(),
                    span: span(node),
                },
                args: Vec::new(),
            });
        }
        Path {
            segments,
            span: span(node),
        }
    }

    /// The segments of a path, innermost first (a loop: a path may be as
    /// long as the line).
    fn path_into(&mut self, node: Node, out: &mut Vec<PathSegment>) {
        let mut chain = vec![node];
        while let Some(inner) = chain.last().and_then(|n| match n.kind() {
            "scoped_identifier" | "scoped_type_identifier" => n.field("path"),
            "generic_type" | "generic_type_with_turbofish" => n.field("type"),
            _ => None,
        }) {
            chain.push(inner);
        }
        for n in chain.into_iter().rev() {
            match n.kind() {
                "scoped_identifier" | "scoped_type_identifier" => out.push(PathSegment {
                    name: self.field_name(n, "name"),
                    args: Vec::new(),
                }),
                "generic_type" | "generic_type_with_turbofish" => {
                    let args = self.type_args(n.field("type_arguments"));
                    if let Some(last) = out.last_mut() {
                        last.args = args;
                    }
                }
                _ if usable(&n) => out.push(PathSegment {
                    name: self.name(n),
                    args: Vec::new(),
                }),
                _ => {}
            }
        }
    }

    fn type_ref(&mut self, node: Node) -> TypeRef {
        if !self.enter(node) {
            return TypeRef::Error(span(node));
        }
        let t = self.type_ref_inner(node);
        self.leave();
        t
    }

    fn type_ref_inner(&mut self, node: Node) -> TypeRef {
        let s = span(node);
        if !usable(&node) {
            return TypeRef::Error(s);
        }
        match node.kind() {
            "type_identifier" | "scoped_type_identifier" | "generic_type" => {
                TypeRef::Path(self.path(node))
            }
            "reference_type" => TypeRef::Ref {
                lifetime: node.field("lifetime").map(|l| self.name(l)),
                mutable: node.field("mutable").is_some(),
                inner: Box::new(self.type_field(node, "type")),
                span: s,
            },
            "tuple_type" => {
                let mut cursor = node.walk();
                let list: Vec<Node> = node.fields("element", &mut cursor).collect();
                TypeRef::Tuple(list.into_iter().map(|t| self.type_ref(t)).collect(), s)
            }
            "unit_type" => TypeRef::Tuple(Vec::new(), s),
            "array_type" => {
                let len = node.field("length").map(|l| self.array_len(l));
                TypeRef::Array {
                    elem: Box::new(self.type_field(node, "element")),
                    len,
                    span: s,
                }
            }
            "function_type" => {
                let mut params = Vec::new();
                if let Some(p) = node.field("parameters") {
                    let mut cursor = p.walk();
                    let list: Vec<Node> = p.fields("parameter", &mut cursor).collect();
                    params = list.into_iter().map(|t| self.type_ref(t)).collect();
                }
                let ret = node
                    .field("return_type")
                    .map(|t| Box::new(self.type_ref(t)));
                TypeRef::Fn {
                    params,
                    ret,
                    span: s,
                }
            }
            "never_type" => TypeRef::Never(s),
            "inferred_type" => TypeRef::Infer(s),
            _ => TypeRef::Error(s),
        }
    }

    fn array_len(&mut self, node: Node) -> ArrayLen {
        match node.kind() {
            "integer_literal" => {
                if let Some(n) = parse_int(self.text_of(node)) {
                    ArrayLen::Literal(n, span(node))
                } else {
                    self.error(node, "integer literal is too large");
                    ArrayLen::Error(span(node))
                }
            }
            "identifier" | "scoped_identifier" => ArrayLen::Path(self.path(node)),
            _ => {
                self.error(
                    node,
                    "an array length must be an integer literal or a constant",
                );
                ArrayLen::Error(span(node))
            }
        }
    }

    // -----------------------------------------------------------------------
    // Expressions

    fn expr_field(&mut self, b: &mut BodyBuilder, node: Node, field: &str) -> ExprId {
        match node.field(field) {
            Some(child) => self.expr(b, child),
            None => b.expr(ExprKind::Missing, span(node).shrink_to_hi()),
        }
    }

    fn opt_expr_field(&mut self, b: &mut BodyBuilder, node: Node, field: &str) -> Option<ExprId> {
        node.field(field).map(|child| self.expr(b, child))
    }

    fn label(&self, node: Node) -> Option<Name> {
        node.field("label").map(|l| self.name(l))
    }

    fn list_exprs(&mut self, b: &mut BodyBuilder, node: Option<Node>, field: &str) -> Vec<ExprId> {
        let Some(node) = node else { return Vec::new() };
        let mut cursor = node.walk();
        let list: Vec<Node> = node.fields(field, &mut cursor).collect();
        list.into_iter().map(|e| self.expr(b, e)).collect()
    }

    fn condition(&mut self, b: &mut BodyBuilder, node: Node) -> Condition {
        match node.field("condition") {
            Some(c) if c.kind() == "let_condition" => Condition::Let {
                pat: self.pattern_field(b, c, "pattern"),
                value: self.expr_field(b, c, "value"),
            },
            Some(c) => Condition::Expr(self.expr(b, c)),
            None => Condition::Expr(b.expr(ExprKind::Missing, span(node).shrink_to_hi())),
        }
    }

    fn expr(&mut self, b: &mut BodyBuilder, node: Node) -> ExprId {
        if !self.enter(node) {
            return b.expr(ExprKind::Missing, span(node));
        }
        let e = self.expr_inner(b, node);
        self.leave();
        e
    }

    #[allow(clippy::too_many_lines)]
    fn expr_inner(&mut self, b: &mut BodyBuilder, node: Node) -> ExprId {
        let s = span(node);
        if !usable(&node) {
            return b.expr(ExprKind::Missing, s);
        }
        let loop_attrs = match node.kind() {
            "while_expression" | "loop_expression" | "for_expression" => self.attributes(node),
            _ => Vec::new(),
        };
        let kind = match node.kind() {
            "integer_literal" => {
                if let Some(n) = parse_int(self.text_of(node)) {
                    ExprKind::Literal(Literal::Int(n))
                } else {
                    self.error(node, "integer literal is too large");
                    ExprKind::Missing
                }
            }
            "float_literal" | "boolean_literal" | "char_literal" | "string_literal" => {
                match self.literal(node) {
                    Some(lit) => ExprKind::Literal(lit),
                    None => ExprKind::Missing,
                }
            }
            "identifier" | "scoped_identifier" | "generic_type_with_turbofish" => {
                ExprKind::Path(self.path(node))
            }
            "self" => ExprKind::SelfValue,
            "generic_function" => {
                let function = node.field("function");
                match function {
                    Some(f) if f.kind() == "field_expression" => {
                        // `x.m::<T>` not called: Ward has no method values,
                        // so it reads as a field (and is reported as one).
                        // Called, it is a method call (see `call`).
                        let base = self.expr_field(b, f, "value");
                        let field = self.field_of(f);
                        ExprKind::Field { base, field }
                    }
                    Some(f) => {
                        let args = self.type_args(node.field("type_arguments"));
                        let mut path = self.path(f);
                        if let Some(last) = path.segments.last_mut() {
                            last.args = args;
                        }
                        path.span = s;
                        ExprKind::Path(path)
                    }
                    None => ExprKind::Missing,
                }
            }
            "unary_expression" => {
                let op = match node.field("operator").map(|o| o.kind()) {
                    Some("-") => UnaryOp::Neg,
                    Some("!") => UnaryOp::Not,
                    _ => UnaryOp::Deref,
                };
                ExprKind::Unary {
                    op,
                    operand: self.expr_field(b, node, "operand"),
                }
            }
            "binary_expression" => {
                let op = node
                    .field("operator")
                    .and_then(|o| BinaryOp::from_token(o.kind()));
                let lhs = self.expr_field(b, node, "left");
                let rhs = self.expr_field(b, node, "right");
                match op {
                    Some(op) => ExprKind::Binary { op, lhs, rhs },
                    None => ExprKind::Missing,
                }
            }
            "assignment_expression" => ExprKind::Assign {
                lhs: self.expr_field(b, node, "left"),
                rhs: self.expr_field(b, node, "right"),
            },
            "compound_assignment_expression" => {
                let op = node
                    .field("operator")
                    .and_then(|o| BinaryOp::from_token(o.kind()));
                let lhs = self.expr_field(b, node, "left");
                let rhs = self.expr_field(b, node, "right");
                match op {
                    Some(op) => ExprKind::CompoundAssign { op, lhs, rhs },
                    None => ExprKind::Missing,
                }
            }
            "reference_expression" => ExprKind::Ref {
                mutable: node.field("mutable").is_some(),
                operand: self.expr_field(b, node, "value"),
            },
            "type_cast_expression" => ExprKind::Cast {
                operand: self.expr_field(b, node, "value"),
                ty: self.type_field(node, "type"),
            },
            "try_expression" => ExprKind::Try(self.expr_field(b, node, "value")),
            "call_expression" => self.call(b, node),
            "index_expression" => ExprKind::Index {
                base: self.expr_field(b, node, "value"),
                index: self.expr_field(b, node, "index"),
            },
            "field_expression" => {
                let base = self.expr_field(b, node, "value");
                ExprKind::Field {
                    base,
                    field: self.field_of(node),
                }
            }
            "range_expression" => ExprKind::Range {
                start: self.opt_expr_field(b, node, "start"),
                end: self.opt_expr_field(b, node, "end"),
                inclusive: node.field("operator").is_some_and(|o| o.kind() == "..="),
            },
            "closure_expression" => {
                let mut params = Vec::new();
                if let Some(ps) = node.field("parameters") {
                    let mut cursor = ps.walk();
                    let list: Vec<Node> = ps.fields("parameter", &mut cursor).collect();
                    for p in list {
                        let pat = self.pattern_field(b, p, "pattern");
                        let ty = p.field("type").map(|t| self.type_ref(t));
                        params.push(ClosureParam { pat, ty });
                    }
                }
                ExprKind::Closure {
                    is_move: node.field("move").is_some(),
                    params,
                    ret: node.field("return_type").map(|t| self.type_ref(t)),
                    body: self.expr_field(b, node, "body"),
                }
            }
            "return_expression" => ExprKind::Return(self.opt_expr_field(b, node, "value")),
            "break_expression" => ExprKind::Break {
                label: self.label(node),
                value: self.opt_expr_field(b, node, "value"),
            },
            "continue_expression" => ExprKind::Continue {
                label: self.label(node),
            },
            "parenthesized_expression" => ExprKind::Paren(self.expr_field(b, node, "value")),
            "tuple_expression" => ExprKind::Tuple(self.list_exprs(b, Some(node), "element")),
            "unit_expression" => ExprKind::Tuple(Vec::new()),
            "array_expression" => {
                let elems = self.list_exprs(b, Some(node), "element");
                match node.field("length") {
                    Some(len) => {
                        let len = self.expr(b, len);
                        let elem = elems
                            .first()
                            .copied()
                            .unwrap_or_else(|| b.expr(ExprKind::Missing, s));
                        ExprKind::ArrayRepeat { elem, len }
                    }
                    None => ExprKind::Array(elems),
                }
            }
            "struct_expression" => self.struct_expr(b, node),
            "if_expression" => {
                let cond = self.condition(b, node);
                let then_branch = self.expr_field(b, node, "consequence");
                let else_branch = node
                    .field("alternative")
                    .and_then(|alt| alt.field("body"))
                    .map(|body| self.expr(b, body));
                ExprKind::If {
                    cond,
                    then_branch,
                    else_branch,
                }
            }
            "match_expression" => {
                let scrutinee = self.expr_field(b, node, "value");
                let mut arms = Vec::new();
                if let Some(block) = node.field("body") {
                    let mut cursor = block.walk();
                    let list: Vec<Node> = block.fields("arm", &mut cursor).collect();
                    for arm in list {
                        let pat = self.pattern_field(b, arm, "pattern");
                        let guard = arm.field("guard").map(|g| {
                            if g.kind() == "let_condition" {
                                Condition::Let {
                                    pat: self.pattern_field(b, g, "pattern"),
                                    value: self.expr_field(b, g, "value"),
                                }
                            } else {
                                Condition::Expr(self.expr(b, g))
                            }
                        });
                        let body = self.expr_field(b, arm, "value");
                        arms.push(MatchArm {
                            pat,
                            guard,
                            body,
                            span: span(arm),
                        });
                    }
                }
                ExprKind::Match { scrutinee, arms }
            }
            "while_expression" => {
                let label = self.label(node);
                let cond = self.condition(b, node);
                ExprKind::While {
                    label,
                    cond,
                    body: self.expr_field(b, node, "body"),
                }
            }
            "loop_expression" => ExprKind::Loop {
                label: self.label(node),
                body: self.expr_field(b, node, "body"),
            },
            "for_expression" => ExprKind::For {
                label: self.label(node),
                pat: self.pattern_field(b, node, "pattern"),
                iterable: self.expr_field(b, node, "value"),
                body: self.expr_field(b, node, "body"),
            },
            "block" => ExprKind::Block(self.block(b, node)),
            "zone_expression" => ExprKind::Zone {
                size: self.opt_expr_field(b, node, "size"),
                body: self.expr_field(b, node, "body"),
            },
            "try_expression_block" => {
                let body = self.expr_field(b, node, "body");
                let binding = node.field("binding").map(|p| self.pattern(b, p));
                let handler = self.expr_field(b, node, "handler");
                ExprKind::TryRecover {
                    body,
                    binding,
                    handler,
                }
            }
            _ => ExprKind::Missing,
        };
        let id = b.expr(kind, s);
        if !loop_attrs.is_empty() {
            b.body.loop_attrs.push(LoopAttrs {
                expr: id,
                attrs: loop_attrs,
            });
        }
        id
    }

    fn field_of(&mut self, node: Node) -> FieldName {
        match node.field("field") {
            Some(f) if f.kind() == "integer_literal" => {
                if let Ok(i) = self.text_of(f).parse::<u32>() {
                    FieldName::Index(i, span(f))
                } else {
                    self.error(f, "invalid tuple field index");
                    FieldName::Index(u32::MAX, span(f))
                }
            }
            Some(f) if usable(&f) => FieldName::Named(self.name(f)),
            _ => FieldName::Named(Name {
                text: String::new(),
                span: span(node).shrink_to_hi(),
            }),
        }
    }

    fn call(&mut self, b: &mut BodyBuilder, node: Node) -> ExprKind {
        let args = self.list_exprs(b, node.field("arguments"), "argument");
        let Some(function) = node.field("function") else {
            return ExprKind::Missing;
        };
        // `x.m(…)` and `x.m::<T>(…)` are method calls.
        let (method_node, generic_args) = match function.kind() {
            "field_expression" => (Some(function), Vec::new()),
            "generic_function" => match function.field("function") {
                Some(f) if f.kind() == "field_expression" => {
                    (Some(f), self.type_args(function.field("type_arguments")))
                }
                _ => (None, Vec::new()),
            },
            _ => (None, Vec::new()),
        };
        if let Some(field_expr) = method_node {
            let receiver = self.expr_field(b, field_expr, "value");
            if let FieldName::Named(method) = self.field_of(field_expr) {
                return ExprKind::MethodCall {
                    receiver,
                    method,
                    generic_args,
                    args,
                };
            }
            let callee = b.expr(ExprKind::Missing, span(field_expr));
            return ExprKind::Call { callee, args };
        }
        let callee = self.expr(b, function);
        ExprKind::Call { callee, args }
    }

    fn struct_expr(&mut self, b: &mut BodyBuilder, node: Node) -> ExprKind {
        let path = match node.field("name") {
            Some(n) => self.path(n),
            None => Path::single(Name {
                text: String::new(),
                span: span(node),
            }),
        };
        let mut fields = Vec::new();
        let mut base = None;
        if let Some(body) = node.field("body") {
            let mut cursor = body.walk();
            let list: Vec<Node> = body.fields("field", &mut cursor).collect();
            for f in list {
                match f.kind() {
                    "shorthand_field_initializer" => {
                        let name = self.field_name(f, "name");
                        let value = b.expr(ExprKind::Path(Path::single(name.clone())), name.span);
                        fields.push(FieldInit {
                            name,
                            value,
                            shorthand: true,
                        });
                    }
                    "field_initializer" => {
                        let name = self.field_name(f, "name");
                        let value = self.expr_field(b, f, "value");
                        fields.push(FieldInit {
                            name,
                            value,
                            shorthand: false,
                        });
                    }
                    "base_field_initializer" => base = Some(self.expr_field(b, f, "value")),
                    _ => {}
                }
            }
        }
        ExprKind::Struct { path, fields, base }
    }

    fn block(&mut self, b: &mut BodyBuilder, node: Node) -> Block {
        if !self.enter(node) {
            return Block {
                stmts: Vec::new(),
                tail: Some(b.expr(ExprKind::Missing, span(node))),
            };
        }
        let block = self.block_inner(b, node);
        self.leave();
        block
    }

    fn block_inner(&mut self, b: &mut BodyBuilder, node: Node) -> Block {
        let mut stmts = Vec::new();
        let mut cursor = node.walk();
        let list: Vec<Node> = node.fields("statement", &mut cursor).collect();
        for stmt in list {
            let s = span(stmt);
            match stmt.kind() {
                "let_declaration" => {
                    let pat = self.pattern_field(b, stmt, "pattern");
                    let ty = stmt.field("type").map(|t| self.type_ref(t));
                    let init = self.opt_expr_field(b, stmt, "value");
                    let else_block = self.opt_expr_field(b, stmt, "alternative");
                    stmts.push(Stmt::Let {
                        pat,
                        ty,
                        init,
                        else_block,
                        span: s,
                    });
                }
                "expression_statement" => {
                    let Some(e) = stmt.field("expression") else {
                        continue;
                    };
                    let semi = stmt.end_byte() > e.end_byte();
                    let expr = self.expr(b, e);
                    stmts.push(Stmt::Expr {
                        expr,
                        semi,
                        span: s,
                    });
                }
                "defer_statement" => {
                    let expr = self.expr_field(b, stmt, "value");
                    stmts.push(Stmt::Defer { expr, span: s });
                }
                "empty_statement" => {}
                kind if is_item_kind(kind) => {
                    if let Some(item) = self.item(stmt) {
                        b.body.has_items = true;
                        stmts.push(Stmt::Item(Box::new(item)));
                    }
                }
                _ => {
                    let expr = b.expr(ExprKind::Missing, s);
                    stmts.push(Stmt::Expr {
                        expr,
                        semi: true,
                        span: s,
                    });
                }
            }
        }
        let mut tail = self.opt_expr_field(b, node, "value");
        // A block-like expression (`if`, `match`, …) at the end without `;`
        // parses as a statement but is the block's value, as in Rust.
        if tail.is_none()
            && let Some(Stmt::Expr {
                expr, semi: false, ..
            }) = stmts.last()
        {
            tail = Some(*expr);
            stmts.pop();
        }
        Block { stmts, tail }
    }

    // -----------------------------------------------------------------------
    // Literals

    fn literal(&mut self, node: Node) -> Option<Literal> {
        let text = self.text_of(node).to_string();
        match node.kind() {
            "integer_literal" => {
                if let Some(n) = parse_int(&text) {
                    Some(Literal::Int(n))
                } else {
                    self.error(node, "integer literal is too large");
                    None
                }
            }
            "float_literal" => {
                if let Ok(f) = text.replace('_', "").parse::<f64>() {
                    Some(Literal::Float(f))
                } else {
                    self.error(node, "invalid float literal");
                    None
                }
            }
            "boolean_literal" => Some(Literal::Bool(text == "true")),
            "char_literal" => {
                let inner = text
                    .strip_prefix('\'')
                    .and_then(|t| t.strip_suffix('\''))
                    .unwrap_or("");
                match unescape(inner) {
                    Ok(s) => {
                        let mut chars = s.chars();
                        if let (Some(c), None) = (chars.next(), chars.next()) {
                            Some(Literal::Char(c))
                        } else {
                            self.error(node, "a character literal holds exactly one character");
                            None
                        }
                    }
                    Err(message) => {
                        self.error(node, message);
                        None
                    }
                }
            }
            "string_literal" => {
                let inner = text
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .unwrap_or("");
                match unescape(inner) {
                    Ok(s) => Some(Literal::Str(s)),
                    Err(message) => {
                        self.error(node, message);
                        None
                    }
                }
            }
            _ => None,
        }
    }

    // -----------------------------------------------------------------------
    // Patterns

    fn pattern_field(&mut self, b: &mut BodyBuilder, node: Node, field: &str) -> PatId {
        match node.field(field) {
            Some(p) => self.pattern(b, p),
            None => b.pat(PatKind::Missing, span(node).shrink_to_hi()),
        }
    }

    fn pattern_list(&mut self, b: &mut BodyBuilder, node: Node, field: &str) -> Vec<PatId> {
        let mut cursor = node.walk();
        let list: Vec<Node> = node.fields(field, &mut cursor).collect();
        list.into_iter().map(|p| self.pattern(b, p)).collect()
    }

    fn pattern(&mut self, b: &mut BodyBuilder, node: Node) -> PatId {
        if !self.enter(node) {
            return b.pat(PatKind::Missing, span(node));
        }
        let p = self.pattern_inner(b, node);
        self.leave();
        p
    }

    fn pattern_inner(&mut self, b: &mut BodyBuilder, node: Node) -> PatId {
        let s = span(node);
        if !usable(&node) {
            return b.pat(PatKind::Missing, s);
        }
        let kind = match node.kind() {
            "identifier" => PatKind::Ident {
                name: self.name(node),
                mutable: false,
                by_ref: false,
                ref_mut: false,
                sub: None,
            },
            "mut_pattern" => PatKind::Ident {
                name: self.field_name(node, "name"),
                mutable: true,
                by_ref: false,
                ref_mut: false,
                sub: None,
            },
            "ref_pattern" => PatKind::Ident {
                name: self.field_name(node, "name"),
                mutable: false,
                by_ref: true,
                ref_mut: node.field("mutable").is_some(),
                sub: None,
            },
            "captured_pattern" => {
                let sub = self.pattern_field(b, node, "pattern");
                PatKind::Ident {
                    name: self.field_name(node, "name"),
                    mutable: false,
                    by_ref: false,
                    ref_mut: false,
                    sub: Some(sub),
                }
            }
            "scoped_identifier" => PatKind::Path(self.path(node)),
            "wildcard_pattern" => PatKind::Wild,
            "rest_pattern" => PatKind::Rest,
            "integer_literal" | "float_literal" | "boolean_literal" | "char_literal"
            | "string_literal" => match self.literal(node) {
                Some(lit) => PatKind::Literal {
                    lit,
                    negative: false,
                },
                None => PatKind::Missing,
            },
            "negative_literal" => match node.field("value").and_then(|v| self.literal(v)) {
                Some(lit) => PatKind::Literal {
                    lit,
                    negative: true,
                },
                None => PatKind::Missing,
            },
            "range_pattern" => {
                let start = node.field("start").map(|p| self.pattern(b, p));
                let end = node.field("end").map(|p| self.pattern(b, p));
                let inclusive = node.field("operator").is_some_and(|o| o.kind() == "..=");
                PatKind::Range {
                    start,
                    end,
                    inclusive,
                }
            }
            "tuple_pattern" => PatKind::Tuple(self.pattern_list(b, node, "element")),
            "slice_pattern" => PatKind::Slice(self.pattern_list(b, node, "element")),
            "tuple_struct_pattern" => {
                let path = match node.field("type") {
                    Some(t) => self.path(t),
                    None => Path::single(Name {
                        text: String::new(),
                        span: s,
                    }),
                };
                PatKind::TupleStruct {
                    path,
                    elems: self.pattern_list(b, node, "element"),
                }
            }
            "struct_pattern" => {
                let path = match node.field("type") {
                    Some(t) => self.path(t),
                    None => Path::single(Name {
                        text: String::new(),
                        span: s,
                    }),
                };
                let mut fields = Vec::new();
                let mut rest = false;
                let mut cursor = node.walk();
                let list: Vec<Node> = node.fields("field", &mut cursor).collect();
                for f in list {
                    if f.kind() == "rest_pattern" {
                        rest = true;
                        continue;
                    }
                    let name = self.field_name(f, "name");
                    if let Some(p) = f.field("pattern") {
                        let pat = self.pattern(b, p);
                        fields.push(FieldPat {
                            name,
                            pat,
                            shorthand: false,
                        });
                    } else {
                        let pat = b.pat(
                            PatKind::Ident {
                                name: name.clone(),
                                mutable: f.field("mutable").is_some() && f.field("ref").is_none(),
                                by_ref: f.field("ref").is_some(),
                                ref_mut: f.field("ref").is_some() && f.field("mutable").is_some(),
                                sub: None,
                            },
                            span(f),
                        );
                        fields.push(FieldPat {
                            name,
                            pat,
                            shorthand: true,
                        });
                    }
                }
                PatKind::Struct { path, fields, rest }
            }
            "reference_pattern" => PatKind::Ref {
                mutable: node.field("mutable").is_some(),
                inner: self.pattern_field(b, node, "pattern"),
            },
            "or_pattern" => {
                let mut alternatives = Vec::new();
                self.or_alternatives(b, node, &mut alternatives);
                PatKind::Or(alternatives)
            }
            _ => PatKind::Missing,
        };
        b.pat(kind, s)
    }

    fn or_alternatives(&mut self, b: &mut BodyBuilder, node: Node, out: &mut Vec<PatId>) {
        for field in ["left", "right"] {
            match node.field(field) {
                Some(side) if side.kind() == "or_pattern" => self.or_alternatives(b, side, out),
                Some(side) => out.push(self.pattern(b, side)),
                None => out.push(b.pat(PatKind::Missing, span(node).shrink_to_hi())),
            }
        }
    }
}

fn is_item_kind(kind: &str) -> bool {
    matches!(
        kind,
        "function_item"
            | "struct_item"
            | "enum_item"
            | "impl_item"
            | "use_item"
            | "module_item"
            | "const_item"
    )
}

/// Decodes an integer literal: decimal, `0x`, `0o`, `0b`, with `_`
/// separators. `None` when it does not fit 64 bits.
pub fn parse_int(text: &str) -> Option<u64> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (digits, radix) = if let Some(rest) = clean
        .strip_prefix("0x")
        .or_else(|| clean.strip_prefix("0X"))
    {
        (rest, 16)
    } else if let Some(rest) = clean.strip_prefix("0o") {
        (rest, 8)
    } else if let Some(rest) = clean.strip_prefix("0b") {
        (rest, 2)
    } else {
        (clean.as_str(), 10)
    };
    u64::from_str_radix(digits, radix).ok()
}

/// Decodes the escapes of a string or char literal body.
pub fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('u') => {
                let rest: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let hex = rest
                    .strip_prefix('{')
                    .ok_or("a unicode escape is written `\\u{…}`")?;
                let value = u32::from_str_radix(&hex.replace('_', ""), 16)
                    .map_err(|_| format!("invalid unicode escape `\\u{{{hex}}}`"))?;
                let c = char::from_u32(value)
                    .ok_or(format!("`\\u{{{hex}}}` is not a Unicode scalar value"))?;
                out.push(c);
            }
            Some('\n') => {
                // A line continuation skips the newline and leading spaces.
                let rest: String = chars.clone().collect();
                let skipped = rest.len() - rest.trim_start().len();
                for _ in 0..rest[..skipped].chars().count() {
                    chars.next();
                }
            }
            Some(other) => return Err(format!("unknown character escape `\\{other}`")),
            None => return Err("a literal cannot end with `\\`".to_string()),
        }
    }
    Ok(out)
}
