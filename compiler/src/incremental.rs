//! What an edit invalidates. The language server keeps one [`Incremental`]
//! per open document and re-analyses the whole program on every version,
//! but each stage reuses the results of the parts that did not change:
//!
//! 1. **Parsing**: the server passes the tree tree-sitter reparsed
//!    incrementally after the edit (`SourceLoader::parse`).
//! 2. **Lowering**: a top-level item whose text (and doc comment) is
//!    unchanged reuses its syntax, moved to its new place
//!    ([`crate::syntax::lower_file_cached`]).
//! 3. **Type checking** and 4. **borrow checking** of a body are reused
//!    when its [`body key`](body_keys) is unchanged, with their spans moved.
//!
//! A body's key hashes its own text and identity, the context it is checked in
//! (its signature, for a method the impl's header and method signatures),
//! the module structure and every `use` (any change there re-checks all
//! bodies), and the surface of each item it can depend on: the items named
//! by the words of its text and of the `use`s, then, transitively, those
//! named by their surfaces (a struct's fields, a function's signature, a type's impls and
//! their method signatures). A method is reached through its type, never
//! by its own name, so a new `fn new` elsewhere re-checks nothing. Adding
//! an item re-checks the bodies that mention its name.
//!
//! Keys hold no ids: an item inserted above others shifts their ids (ids
//! are positions in `Program::defs`), so a cached result records the items
//! it names by [identity](DefIdentities) too ([`DefRefs`]), and its ids
//! are brought up to date when it is reused.

use crate::FxHashMap as HashMap;
use crate::resolve::{DefId, DefKind, Program};
use crate::syntax::ast::TypeRef;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Reusable results of earlier analyses of one document.
#[derive(Debug, Default)]
pub struct Incremental {
    pub lowered: crate::syntax::LowerCache,
    pub typed: crate::types::BodyCache,
    pub borrowck: crate::borrowck::cache::Cache,
}

/// Each user body's key (functions and constants): equal keys mean equal
/// type-checking and borrow-checking results, up to where the body is and
/// the ids of the items they name (see [`DefRefs`]).
#[derive(Debug, Default)]
pub struct BodyKeys {
    keys: HashMap<DefId, u64>,
    /// Every item's identity in this program.
    pub identities: DefIdentities,
}

impl BodyKeys {
    /// No keys: nothing is reused.
    pub fn new() -> BodyKeys {
        BodyKeys::default()
    }

    pub fn get(&self, def: &DefId) -> Option<&u64> {
        self.keys.get(def)
    }
}

/// What identifies an item from one version of a program to the next,
/// where its id (its position among all items) may change: its file,
/// module, kind and name, for a method its impl's header, for a variant
/// its enum's name. Two items with one identity (a duplicate definition)
/// have none.
#[derive(Debug, Default)]
pub struct DefIdentities {
    of: Vec<u64>,
    ids: HashMap<u64, DefId>,
}

impl DefIdentities {
    pub fn new(program: &Program) -> DefIdentities {
        let mut of = Vec::with_capacity(program.defs.len());
        let mut ids: HashMap<u64, Option<DefId>> = HashMap::default();
        for (id, d) in program.defs_with_ids() {
            let mut h = DefaultHasher::new();
            (
                &program.file(d.file).path,
                d.module,
                &d.name.text,
                std::mem::discriminant(&d.kind),
            )
                .hash(&mut h);
            if let Some(owner) = d.owner
                && let Some(imp) = program.impls.get(owner.0 as usize)
            {
                impl_header(program, imp).hash(&mut h);
            }
            if let DefKind::Variant { parent, .. } = d.kind {
                program.def(parent).name.text.hash(&mut h);
            }
            let identity = h.finish();
            of.push(identity);
            ids.entry(identity)
                .and_modify(|seen| *seen = None)
                .or_insert(Some(id));
        }
        DefIdentities {
            of,
            ids: ids.into_iter().filter_map(|(k, v)| Some((k, v?))).collect(),
        }
    }

    fn identity(&self, def: DefId) -> u64 {
        self.of.get(def.0 as usize).copied().unwrap_or_default()
    }
}

/// The items a cached result names, by id and by identity: when the
/// result is reused in a later version, where inserting an item above
/// others changed their ids, the ids are brought up to date.
#[derive(Debug, Clone, Default)]
pub struct DefRefs {
    ids: Vec<DefId>,
    identities: Vec<u64>,
}

/// Old ids to new ones, for [`DefRefs::update`].
pub type DefMap = HashMap<DefId, DefId>;

impl DefRefs {
    pub fn new(ids: impl IntoIterator<Item = DefId>, identities: &DefIdentities) -> DefRefs {
        let mut ids: Vec<DefId> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        let identities = ids.iter().map(|&d| identities.identity(d)).collect();
        DefRefs { ids, identities }
    }

    /// Brings the ids up to date with `now`: `None` when an item named is
    /// gone or ambiguous (the result cannot be reused), else the ids that
    /// changed (empty when none did).
    pub fn update(&mut self, now: &DefIdentities) -> Option<DefMap> {
        if !self.identities.iter().all(|i| now.ids.contains_key(i)) {
            return None;
        }
        let mut changed = DefMap::default();
        for (id, identity) in self.ids.iter_mut().zip(&self.identities) {
            let new = now.ids[identity];
            if new != *id {
                changed.insert(*id, new);
                *id = new;
            }
        }
        Some(changed)
    }
}

/// An impl's header as written, up to the end of its type.
fn impl_header<'p>(program: &'p Program, imp: &crate::resolve::ImplDef) -> &'p str {
    text_of(
        program,
        imp.file,
        crate::diagnostics::Span::new(imp.span.start, imp.self_ty.span().end.max(imp.span.start)),
    )
}

/// One item's surface: what a body that names it can depend on.
struct Surface<'p> {
    hash: u64,
    words: Vec<&'p str>,
}

/// The words (identifiers and keywords) of `text`: maximal runs of alphanumeric
/// characters and `_` that start with a letter or `_`. Every body's text
/// is scanned on every analysis, so ASCII (nearly all code) is tested a
/// byte at a time; other characters are decoded and tested as characters.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let start = next_boundary(text, at, false)?;
            let end = next_boundary(text, start, true).unwrap_or(text.len());
            at = end;
            let word = &text[start..end];
            if word.starts_with(|c: char| c.is_alphabetic() || c == '_') {
                return Some(word);
            }
        }
    })
}

/// The first position at or after `from` whose character is (`in_word`
/// false) or is not (`in_word` true) a word character; `None` at the end.
fn next_boundary(text: &str, from: usize, in_word: bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        let (is_word, len) = if b.is_ascii() {
            (b.is_ascii_alphanumeric() || b == b'_', 1)
        } else {
            let c = text[i..].chars().next()?;
            (c.is_alphanumeric(), c.len_utf8())
        };
        if is_word != in_word {
            return Some(i);
        }
        i += len;
    }
    None
}

fn text_of(
    program: &Program,
    file: crate::diagnostics::FileId,
    span: crate::diagnostics::Span,
) -> &str {
    program
        .file(file)
        .text
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default()
}

/// A function's text before its body: attributes, signature, `uses`.
fn signature_text(program: &Program, def: DefId) -> &str {
    let d = program.def(def);
    let end = match &d.kind {
        DefKind::Fn(f) => f
            .body
            .root
            .map_or(d.span.end, |r| f.body.expr(r).span.start),
        _ => d.span.end,
    };
    text_of(
        program,
        d.file,
        crate::diagnostics::Span::new(d.span.start, end.max(d.span.start)),
    )
}

/// The name a type written in an impl header is known by.
fn self_type_name(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Path(p) => Some(p.last().name.text.as_str()),
        TypeRef::Ref { inner, .. } => self_type_name(inner),
        _ => None,
    }
}

/// The key of every user body of `program` (see the module docs).
pub fn body_keys(program: &Program) -> BodyKeys {
    let identities = DefIdentities::new(program);
    let mut surfaces: Vec<Surface> = Vec::new();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::default();
    let mut modules = DefaultHasher::new();
    for (id, d) in program.defs_with_ids() {
        if d.file == program.std_file || d.owner.is_some() {
            continue;
        }
        let text = match &d.kind {
            DefKind::Fn(_) => signature_text(program, id),
            DefKind::Struct(_) | DefKind::Enum(_) | DefKind::Const(_) => {
                text_of(program, d.file, d.span)
            }
            DefKind::Module(m) => {
                (
                    id,
                    &d.name.text,
                    &program.file(program.module(*m).file).path,
                )
                    .hash(&mut modules);
                continue;
            }
            DefKind::Variant { .. } => continue,
        };
        let mut h = DefaultHasher::new();
        (identities.identity(id), text).hash(&mut h);
        let at = surfaces.len();
        surfaces.push(Surface {
            hash: h.finish(),
            words: words(text).collect(),
        });
        // Variants are reached through their enum: written `E::V`, or
        // imported by a `use` whose words every body starts from. (Indexed
        // by their own names, every enum with a `None`-like variant would
        // reach every other.)
        by_name.entry(d.name.text.as_str()).or_default().push(at);
    }
    // A type's impls: the header and each method's signature.
    let mut impl_hash: HashMap<usize, u64> = HashMap::default();
    for (i, imp) in program.impls.iter().enumerate() {
        if imp.file == program.std_file {
            continue;
        }
        let header = impl_header(program, imp);
        let mut h = DefaultHasher::new();
        (&program.file(imp.file).path, imp.module, header).hash(&mut h);
        let mut all_words: Vec<&str> = words(header).collect();
        for &m in &imp.methods {
            let sig = signature_text(program, m);
            sig.hash(&mut h);
            all_words.extend(words(sig));
        }
        let at = surfaces.len();
        impl_hash.insert(i, h.finish());
        surfaces.push(Surface {
            hash: impl_hash[&i],
            words: all_words,
        });
        match self_type_name(&imp.self_ty) {
            Some(name) => by_name.entry(name).or_default().push(at),
            None => {
                for w in words(header) {
                    by_name.entry(w).or_default().push(at);
                }
            }
        }
    }
    // The words of every `use`: where the names a body uses unqualified
    // come from.
    let mut import_words: Vec<&str> = Vec::new();
    for m in program.user_modules() {
        let module = program.module(m);
        (m, &module.name, module.parent, module.is_block).hash(&mut modules);
        for entry in &module.imports {
            import_words.extend(entry.import.path.iter().map(|n| n.text.as_str()));
            (
                &entry
                    .import
                    .path
                    .iter()
                    .map(|n| &n.text)
                    .collect::<Vec<_>>(),
                entry.import.alias.as_ref().map(|a| &a.text),
                entry.import.glob,
                entry.is_pub,
            )
                .hash(&mut modules);
        }
    }
    let modules = modules.finish();

    // Each surface's direct successors: the surfaces its words name.
    let successors: Vec<Vec<usize>> = surfaces
        .iter()
        .map(|s| {
            let mut next: Vec<usize> = s
                .words
                .iter()
                .filter_map(|w| by_name.get(w))
                .flatten()
                .copied()
                .collect();
            next.sort_unstable();
            next.dedup();
            next
        })
        .collect();

    let closures = closure_hashes(&surfaces, &successors);
    // The closure hashes of the surfaces some words name.
    let starts = |words: &mut dyn Iterator<Item = &str>| -> Vec<u64> {
        let mut out: Vec<u64> = words
            .filter_map(|w| by_name.get(w))
            .flatten()
            .map(|&s| closures[s])
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    // Every body starts from the items the `use`s name too.
    let imported = starts(&mut import_words.iter().copied());
    let bodies: Vec<DefId> = program
        .defs_with_ids()
        .filter(|(_, d)| {
            d.file != program.std_file && matches!(d.kind, DefKind::Fn(_) | DefKind::Const(_))
        })
        .map(|(id, _)| id)
        .collect();
    // Each body's text is scanned and hashed: the one part of the keys that
    // grows with the program's whole text, so it runs on every core.
    let body_key = |&id: &DefId| {
        let d = program.def(id);
        let own = text_of(program, d.file, d.span);
        let mut h = DefaultHasher::new();
        (modules, identities.identity(id), own, &imported).hash(&mut h);
        // The context a method is checked in: its impl.
        if let Some(owner) = d.owner {
            impl_hash.get(&(owner.0 as usize)).hash(&mut h);
        }
        // Every surface reachable from the body's words, through the
        // closures of the surfaces they name.
        starts(&mut words(own)).hash(&mut h);
        h.finish()
    };
    let computed = crate::parallel::map(&bodies, &|| false, &body_key);
    let keys = bodies
        .into_iter()
        .zip(computed)
        .filter_map(|(id, key)| Some((id, key?)))
        .collect();
    BodyKeys { keys, identities }
}

/// Each surface's closure hash: a hash of its own and of every surface
/// reachable from it, so that a change anywhere below a surface changes
/// its closure hash. Surfaces that reach each other (a strongly connected
/// component, found by Tarjan's algorithm) share one; a component's hash
/// covers its members' own hashes and the closure hashes of the components
/// they lead to, which Tarjan's algorithm finishes first. Linear in the
/// surfaces and their edges, where a walk from every body was not.
fn closure_hashes(surfaces: &[Surface], successors: &[Vec<usize>]) -> Vec<u64> {
    let count = surfaces.len();
    let mut t = Tarjan {
        index: vec![UNSEEN; count],
        low: vec![0; count],
        on_stack: vec![false; count],
        stack: Vec::new(),
        walk: Vec::new(),
        next_index: 0,
    };
    let mut component = vec![UNSEEN; count];
    let mut component_hash: Vec<u64> = Vec::new();
    for root in 0..count {
        if t.index[root] != UNSEEN {
            continue;
        }
        t.visit(root);
        while let Some(top) = t.walk.len().checked_sub(1) {
            let (v, next) = t.walk[top];
            if let Some(&w) = successors[v].get(next) {
                t.walk[top].1 += 1;
                if t.index[w] == UNSEEN {
                    t.visit(w);
                } else if t.on_stack[w] {
                    t.low[v] = t.low[v].min(t.index[w]);
                }
                continue;
            }
            t.walk.pop();
            if let Some(&(parent, _)) = t.walk.last() {
                t.low[parent] = t.low[parent].min(t.low[v]);
            }
            if t.low[v] != t.index[v] {
                continue;
            }
            // `v` roots a component: its members are on the stack.
            let c = component_hash.len();
            let mut own = Vec::new();
            let mut members = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on_stack[w] = false;
                component[w] = c;
                own.push(surfaces[w].hash);
                members.push(w);
                if w == v {
                    break;
                }
            }
            own.sort_unstable();
            let mut below: Vec<u64> = members
                .iter()
                .flat_map(|&m| &successors[m])
                .filter(|&&w| component[w] != c)
                .map(|&w| component_hash[component[w]])
                .collect();
            below.sort_unstable();
            below.dedup();
            let mut h = DefaultHasher::new();
            (own, below).hash(&mut h);
            component_hash.push(h.finish());
        }
    }
    component.iter().map(|&c| component_hash[c]).collect()
}

const UNSEEN: usize = usize::MAX;

/// The state of Tarjan's walk in [`closure_hashes`].
struct Tarjan {
    index: Vec<usize>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    /// The depth-first walk without recursion: (surface, next successor).
    walk: Vec<(usize, usize)>,
    next_index: usize,
}

impl Tarjan {
    fn visit(&mut self, v: usize) {
        self.index[v] = self.next_index;
        self.low[v] = self.next_index;
        self.next_index += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        self.walk.push((v, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::words;

    /// What `words` must return: the runs `split` finds, as it did before
    /// the byte-at-a-time scan.
    fn by_split(text: &str) -> Vec<&str> {
        text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with(|c: char| c.is_alphabetic() || c == '_'))
            .collect()
    }

    #[test]
    fn words_are_the_identifier_runs() {
        let texts = [
            "",
            "fn main() { let x_1 = foo::bar(2) + _y; }",
            "9abc a9 _ __x",
            "naïve café→ok Ωmega x—y 変数 a\u{301}b",
            "trailing_word",
            "  \n\t(,)",
            "émoji😀word é",
        ];
        for text in texts {
            assert_eq!(words(text).collect::<Vec<_>>(), by_split(text), "{text:?}");
        }
        // Every example's text too.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                assert_eq!(words(&text).collect::<Vec<_>>(), by_split(&text));
            }
        }
    }
}
