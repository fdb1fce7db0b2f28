//! Name resolution: the module tree (files loaded by `mod x;`, inline
//! modules, the standard library), the items of every module in two
//! namespaces (types and values, as Rust), `use` imports, visibility, and the
//! lookup of paths written in types, expressions and patterns.
//!
//! The resolver owns every item: [`Program::defs`] is a flat arena indexed by
//! [`DefId`], so later stages name items by id. Local variables are not here:
//! the type checker scopes them while it walks a body, and asks the resolver
//! only for paths that are not locals.

mod packages;
mod similar;
mod std_source;

pub use packages::Package;

use crate::FxHashMap as HashMap;
use crate::diagnostics::{Diagnostic, FileId, FileSpan, Span, codes};
use crate::syntax::ast::{
    Attribute, ConstDef, EnumDef, ExprId, ExprKind, Fields, Function, Generics, Import, Item,
    ItemKind, Name, Path, Stmt, StructDef, TypeRef,
};
use std::path::{Path as FsPath, PathBuf};

pub use std_source::std_source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImplId(pub u32);

/// The built-in scalar types and `String`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prim {
    Int,
    Float,
    Bool,
    Char,
    Str,
}

impl Prim {
    pub fn from_name(name: &str) -> Option<Prim> {
        Some(match name {
            "int" => Prim::Int,
            "float" => Prim::Float,
            "bool" => Prim::Bool,
            "char" => Prim::Char,
            "String" => Prim::Str,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Prim::Int => "int",
            Prim::Float => "float",
            Prim::Bool => "bool",
            Prim::Char => "char",
            Prim::Str => "String",
        }
    }
}

#[derive(Debug, Clone)]
pub enum DefKind {
    Fn(Function),
    Struct(StructDef),
    Enum(EnumDef),
    /// Variant `index` of the enum `parent`.
    Variant {
        parent: DefId,
        index: usize,
    },
    Const(ConstDef),
    Module(ModuleId),
}

#[derive(Debug, Clone)]
pub struct Def {
    pub name: Name,
    pub kind: DefKind,
    pub module: ModuleId,
    pub file: FileId,
    pub is_pub: bool,
    pub attrs: Vec<Attribute>,
    pub doc: Option<String>,
    pub span: Span,
    /// For methods and associated functions: their `impl`.
    pub owner: Option<ImplId>,
}

impl Def {
    pub fn has_attr(&self, name: &str) -> bool {
        self.attrs.iter().any(|a| a.name == name)
    }

    pub fn derives(&self, what: &str) -> bool {
        self.attrs
            .iter()
            .any(|a| a.name == "derive" && a.args.iter().any(|arg| arg == what))
    }

    pub fn describe(&self) -> &'static str {
        match self.kind {
            DefKind::Fn(_) => "function",
            DefKind::Struct(_) => "struct",
            DefKind::Enum(_) => "enum",
            DefKind::Variant { .. } => "variant",
            DefKind::Const(_) => "constant",
            DefKind::Module(_) => "module",
        }
    }

    pub fn file_span(&self) -> FileSpan {
        FileSpan::new(self.file, self.name.span)
    }
}

#[derive(Debug, Clone)]
pub struct ImplDef {
    pub generics: Generics,
    pub self_ty: TypeRef,
    pub module: ModuleId,
    pub file: FileId,
    pub methods: Vec<DefId>,
    pub span: Span,
}

/// What a name means in the two namespaces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerNs {
    pub types: Option<DefId>,
    pub values: Option<DefId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    Types,
    Values,
}

impl PerNs {
    pub fn get(&self, ns: Ns) -> Option<DefId> {
        match ns {
            Ns::Types => self.types,
            Ns::Values => self.values,
        }
    }
}

#[derive(Debug)]
pub struct ImportEntry {
    pub import: Import,
    pub is_pub: bool,
    pub file: FileId,
    /// What the import binds, once resolved.
    pub target: PerNs,
    /// For `path::*`: the module or enum whose names it brings in.
    pub glob_source: Option<DefId>,
    pub used: std::sync::atomic::AtomicBool,
    pub resolved: bool,
}

#[derive(Debug)]
pub struct Module {
    pub name: String,
    pub parent: Option<ModuleId>,
    pub file: FileId,
    pub def: Option<DefId>,
    pub items: HashMap<String, PerNs>,
    pub imports: Vec<ImportEntry>,
    /// A block's items: lookups continue in the enclosing module.
    pub is_block: bool,
    pub is_std: bool,
}

/// One source file of the program.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 0-based line and byte column of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            offset - self.line_starts[line],
        )
    }

    /// 1-based line and 1-based column counted in chars.
    pub fn line_col_chars(&self, offset: u32) -> (usize, usize) {
        let (line, col) = self.line_col(offset);
        let start = self.line_starts[line as usize] as usize;
        let end = (start + col as usize).min(self.text.len());
        let chars = self
            .text
            .get(start..end)
            .map_or(col as usize, |s| s.chars().count());
        (line as usize + 1, chars + 1)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// Where source files come from: the disk for the command line, open
/// buffers (falling back to the disk) for the language server.
pub trait SourceLoader {
    fn load(&self, path: &FsPath) -> Result<String, LoadError>;

    /// A syntax tree of the text `load` gives for `path`, when the loader
    /// keeps one (the language server's open documents, reparsed
    /// incrementally after each edit); `None` has the text parsed.
    fn tree(&self, path: &FsPath) -> Option<tree_sitter::Tree> {
        let _ = path;
        None
    }

    /// The packages the program depends on (a project's path
    /// dependencies); none by default.
    fn packages(&self) -> Vec<Package> {
        Vec::new()
    }
}

/// Why a source file could not be loaded; each gets its own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    NotFound,
    Directory,
    /// A FIFO, socket or device: reading it could block or never end.
    NotRegular,
    TooLarge(u64),
    NotUtf8,
    Unreadable(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotFound => f.write_str("it does not exist"),
            LoadError::Directory => f.write_str("it is a directory"),
            LoadError::NotRegular => {
                f.write_str("it is not a regular file (a pipe, socket or device)")
            }
            LoadError::TooLarge(n) => write!(
                f,
                "it is {n} bytes, over the limit of {MAX_SOURCE_BYTES} for a source file"
            ),
            LoadError::NotUtf8 => f.write_str("it is not UTF-8 text"),
            LoadError::Unreadable(why) => write!(f, "it cannot be read: {why}"),
        }
    }
}

/// Largest source file read (16 MiB: far past any program a person writes).
pub const MAX_SOURCE_BYTES: u64 = 16 << 20;

/// Reads a source file as an editor would: only a regular, readable UTF-8
/// file of bounded size (symlinks followed); never blocks on a pipe or reads
/// a device without end.
pub fn read_source_file(path: &FsPath) -> Result<String, LoadError> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound,
        _ => LoadError::Unreadable(e.to_string()),
    })?;
    if meta.is_dir() {
        return Err(LoadError::Directory);
    }
    if !meta.is_file() {
        return Err(LoadError::NotRegular);
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| LoadError::Unreadable(e.to_string()))?;
    // Sized from the metadata: growing by doubling would touch twice the
    // memory and copy the text several times.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).map_or(0, |n| n + 1));
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| LoadError::NotUtf8)
}

/// Reads files from the file system.
#[derive(Debug)]
pub struct DiskLoader;

impl SourceLoader for DiskLoader {
    fn load(&self, path: &FsPath) -> Result<String, LoadError> {
        read_source_file(path)
    }
}

/// How a type path resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeRes {
    Prim(Prim),
    Def(DefId),
}

/// How a value path resolved, short of locals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRes {
    Def(DefId),
    /// `Type::name`: an associated function or method of a type; the
    /// segment index says where the type's generic arguments are.
    Assoc {
        ty: TypeRes,
        ty_segment: usize,
    },
}

/// A failed lookup, turned into a diagnostic by the caller.
#[derive(Debug)]
pub struct ResolveError(pub Box<Diagnostic>);

thread_local! {
    /// Imports used on this thread while a recorder is set.
    static IMPORT_USES: std::cell::RefCell<Option<Vec<(ModuleId, usize)>>> =
        const { std::cell::RefCell::new(None) };
}

/// The resolved program: files, modules, items and impls.
#[derive(Debug)]
pub struct Program {
    pub files: Vec<SourceFile>,
    pub modules: Vec<Module>,
    pub defs: Vec<Def>,
    pub impls: Vec<ImplDef>,
    pub std_root: ModuleId,
    pub root: ModuleId,
    pub std_file: FileId,
    /// Items declared inside blocks: (owner of the body, block) to the
    /// anonymous module holding them.
    pub block_modules: HashMap<(DefId, ExprId), ModuleId>,
    /// `impl` blocks by the type they implement.
    pub impls_by_type: HashMap<TypeRes, Vec<ImplId>>,
    /// The packages the program depends on, by name: reachable from every
    /// module, after its own names and std's (`packages.rs`).
    pub externs: HashMap<String, DefId>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Program {
    pub fn def(&self, id: DefId) -> &Def {
        &self.defs[id.0 as usize]
    }

    /// Every item with its id.
    pub fn defs_with_ids(&self) -> impl Iterator<Item = (DefId, &Def)> {
        self.defs
            .iter()
            .enumerate()
            .map(|(i, d)| (DefId(u32::try_from(i).unwrap_or(u32::MAX)), d))
    }

    pub fn module(&self, id: ModuleId) -> &Module {
        &self.modules[id.0 as usize]
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn is_std_def(&self, id: DefId) -> bool {
        self.def(id).file == self.std_file
    }

    /// Every module but the std ones.
    pub fn user_modules(&self) -> impl Iterator<Item = ModuleId> + '_ {
        (0..self.modules.len())
            .map(|i| ModuleId(u32::try_from(i).unwrap_or(u32::MAX)))
            .filter(|m| !self.module(*m).is_std)
    }

    /// The module that is not a block: where `self::` and visibility start.
    pub fn normal_module(&self, mut m: ModuleId) -> ModuleId {
        while self.module(m).is_block {
            match self.module(m).parent {
                Some(p) => m = p,
                None => break,
            }
        }
        m
    }

    pub fn is_ancestor_or_self(&self, ancestor: ModuleId, mut m: ModuleId) -> bool {
        loop {
            if m == ancestor {
                return true;
            }
            match self.module(m).parent {
                Some(p) => m = p,
                None => return false,
            }
        }
    }

    /// Whether an item defined in `owner` with `is_pub` is visible from
    /// `from`: public items everywhere, private ones in their module and its
    /// descendants (as Rust).
    pub fn visible(&self, owner: ModuleId, is_pub: bool, from: ModuleId) -> bool {
        is_pub || self.is_ancestor_or_self(self.normal_module(owner), from)
    }

    pub fn def_visible(&self, def: DefId, from: ModuleId) -> bool {
        let d = self.def(def);
        match d.kind {
            DefKind::Variant { parent, .. } => self.def_visible(parent, from),
            _ => self.visible(d.module, d.is_pub, from),
        }
    }

    /// The ancestry of a module as a `::` path, for messages.
    pub fn module_path(&self, m: ModuleId) -> String {
        let mut names = Vec::new();
        let mut cur = Some(m);
        while let Some(c) = cur {
            let module = self.module(c);
            if !module.is_block && !module.name.is_empty() {
                names.push(module.name.clone());
            }
            cur = module.parent;
        }
        names.reverse();
        names.join("::")
    }

    /// The path by which a person would name an item.
    pub fn def_path(&self, id: DefId) -> String {
        let d = self.def(id);
        if let DefKind::Variant { parent, .. } = d.kind {
            // `Some`, `None`, `Ok` and `Err` are in the prelude: bare.
            if self
                .module(self.std_root)
                .items
                .get(&d.name.text)
                .and_then(|p| p.values)
                == Some(id)
            {
                return d.name.text.clone();
            }
            return format!("{}::{}", self.def_path(parent), d.name.text);
        }
        if self.is_std_def(id) {
            let m = self.module_path(d.module);
            return if m == "std" {
                d.name.text.clone()
            } else {
                format!("{}::{}", m.trim_start_matches("std::"), d.name.text)
            };
        }
        d.name.text.clone()
    }

    /// A type the language itself refers to (`Option`, `Result`, `Range`,
    /// `Error`, `Panic`), from the std prelude.
    pub fn lang_item(&self, name: &str) -> Option<DefId> {
        self.module(self.std_root)
            .items
            .get(name)
            .and_then(|p| p.types)
    }

    /// The variants of an enum definition, as defs, in declaration order.
    pub fn variants(&self, enum_def: DefId) -> Vec<DefId> {
        // Variants are allocated right after their enum.
        match &self.def(enum_def).kind {
            DefKind::Enum(e) => (0..e.variants.len())
                .map(|i| DefId(enum_def.0 + 1 + u32::try_from(i).unwrap_or(0)))
                .collect(),
            _ => Vec::new(),
        }
    }

    // -----------------------------------------------------------------------
    // Lookup

    /// Looks a single name up from module `m`: its items, its imports, the
    /// enclosing module for block scopes, then the prelude.
    pub fn lookup_name(&self, m: ModuleId, name: &str, ns: Ns) -> Option<DefId> {
        let mut cur = m;
        loop {
            if let Some(found) = self.lookup_in_scope(cur, name, ns) {
                return Some(found);
            }
            let module = self.module(cur);
            match module.parent {
                Some(p) if module.is_block => cur = p,
                _ => break,
            }
        }
        self.lookup_in_scope(self.std_root, name, ns).or_else(|| {
            (ns == Ns::Types)
                .then(|| self.extern_package(name))
                .flatten()
        })
    }

    /// A module's own items and imports.
    fn lookup_in_scope(&self, m: ModuleId, name: &str, ns: Ns) -> Option<DefId> {
        let module = self.module(m);
        if let Some(found) = module.items.get(name).and_then(|p| p.get(ns)) {
            return Some(found);
        }
        for (i, entry) in module.imports.iter().enumerate() {
            if entry.import.binding().is_some_and(|b| b.text == name)
                && let Some(found) = entry.target.get(ns)
            {
                self.mark_import_used(m, i);
                return Some(found);
            }
        }
        for (i, entry) in module.imports.iter().enumerate() {
            if let Some(source) = entry.glob_source
                && let Some(found) = self
                    .member(source, name, ns)
                    .filter(|d| self.def_visible(*d, m))
            {
                self.mark_import_used(m, i);
                return Some(found);
            }
        }
        None
    }

    /// Marks a module's `i`th import as used (for W1104), and tells the
    /// recorder of [`Program::recording_import_uses`] on this thread.
    pub fn mark_import_used(&self, m: ModuleId, i: usize) {
        if let Some(entry) = self.module(m).imports.get(i) {
            entry.used.store(true, std::sync::atomic::Ordering::Relaxed);
            IMPORT_USES.with_borrow_mut(|uses| {
                if let Some(uses) = uses {
                    uses.push((m, i));
                }
            });
        }
    }

    /// Runs `f`, returning with its result the imports it used (a cached
    /// body's results are reused without checking it again, so its uses
    /// are replayed from this list).
    pub fn recording_import_uses<R>(&self, f: impl FnOnce() -> R) -> (R, Vec<(ModuleId, usize)>) {
        let outer = IMPORT_USES.replace(Some(Vec::new()));
        let result = f();
        let uses = IMPORT_USES.replace(outer).unwrap_or_default();
        (result, uses)
    }

    /// A name inside a module or an enum (its variants), without visibility.
    pub fn member(&self, container: DefId, name: &str, ns: Ns) -> Option<DefId> {
        match &self.def(container).kind {
            DefKind::Module(m) => {
                let module = self.module(*m);
                if let Some(found) = module.items.get(name).and_then(|p| p.get(ns)) {
                    return Some(found);
                }
                module
                    .imports
                    .iter()
                    .filter(|e| e.is_pub && e.import.binding().is_some_and(|b| b.text == name))
                    .find_map(|e| e.target.get(ns))
            }
            DefKind::Enum(_) => self
                .variants(container)
                .into_iter()
                .find(|v| self.def(*v).name.text == name),
            _ => None,
        }
    }

    fn special_module(&self, m: ModuleId, name: &str) -> Option<ModuleId> {
        let normal = self.normal_module(m);
        match name {
            "std" => Some(self.std_root),
            "self" => Some(normal),
            "super" => self.module(normal).parent.map(|p| self.normal_module(p)),
            "crate" => {
                let mut cur = normal;
                while let Some(p) = self.module(cur).parent {
                    cur = p;
                }
                Some(cur)
            }
            _ => None,
        }
    }

    fn module_def(&self, m: ModuleId) -> Option<DefId> {
        self.module(m).def
    }

    #[allow(clippy::unused_self)] // a method so call sites read `p.error(…)` beside `p.private(…)`
    fn error(
        &self,
        file: FileId,
        code: crate::diagnostics::Code,
        span: Span,
        message: String,
    ) -> ResolveError {
        ResolveError(Box::new(Diagnostic::error(
            code,
            FileSpan::new(file, span),
            message,
        )))
    }

    /// Resolves the leading segments of a path (all but the last `keep`)
    /// to a container: a module, an enum, or a type for associated items.
    fn walk_prefix(
        &self,
        m: ModuleId,
        file: FileId,
        segments: &[Name],
    ) -> Result<Prefix, ResolveError> {
        let first = &segments[0];
        let mut current = if let Some(special) = self.special_module(m, &first.text) {
            match self.module_def(special) {
                Some(d) => Prefix::Def(d),
                None => Prefix::Module(special),
            }
        } else if let Some(d) = self.lookup_name(m, &first.text, Ns::Types) {
            Prefix::Def(d)
        } else if let Some(p) = Prim::from_name(&first.text) {
            Prefix::Prim(p)
        } else {
            // Whatever is followed by `::` (or imported) is one of these.
            let kind = "module or type";
            let err = self
                .error(
                    file,
                    codes::UNRESOLVED_PATH,
                    first.span,
                    format!(
                        "failed to resolve: use of undeclared {kind} `{}`",
                        first.text
                    ),
                )
                .label("not found in this scope");
            return Err(self.error_with_similar(
                err,
                file,
                first,
                self.names_in_scope(m, Ns::Types),
            ));
        };
        for segment in &segments[1..] {
            let container = match current {
                Prefix::Def(d) => d,
                Prefix::Module(module) => {
                    match self.module_def(module) {
                        Some(d) => d,
                        None => {
                            // The crate root has no def: look in its items.
                            match self
                                .module(module)
                                .items
                                .get(&segment.text)
                                .and_then(|p| p.types.or(p.values))
                            {
                                Some(found) => {
                                    current = Prefix::Def(found);
                                    continue;
                                }
                                None => {
                                    return Err(self.error(
                                    file,
                                    codes::UNRESOLVED_PATH,
                                    segment.span,
                                    format!("failed to resolve: could not find `{}` in the crate root", segment.text),
                                ));
                                }
                            }
                        }
                    }
                }
                Prefix::Prim(_) => {
                    return Err(self.error(
                        file,
                        codes::UNRESOLVED_PATH,
                        segment.span,
                        format!("failed to resolve: `{}` has no items", segment.text),
                    ));
                }
            };
            if let Some(found) = self.member(container, &segment.text, Ns::Types) {
                if !self.def_visible(found, m) {
                    return Err(self.private(file, segment, found));
                }
                current = Prefix::Def(found);
            } else {
                let what = self.def(container).describe();
                let err = self.error(
                    file,
                    codes::UNRESOLVED_PATH,
                    segment.span,
                    format!(
                        "failed to resolve: could not find `{}` in {what} `{}`",
                        segment.text,
                        self.def(container).name.text
                    ),
                );
                return Err(self.error_with_similar(
                    err,
                    file,
                    segment,
                    self.member_names(container, Ns::Types, m),
                ));
            }
        }
        Ok(current)
    }

    fn private(&self, file: FileId, segment: &Name, def: DefId) -> ResolveError {
        let d = self.def(def);
        ResolveError(Box::new(
            Diagnostic::error(
                codes::PRIVATE_ITEM,
                FileSpan::new(file, segment.span),
                format!("{} `{}` is private", d.describe(), segment.text),
            )
            .with_label("private item")
            .with_secondary(
                d.file_span(),
                format!("`{}` is defined here without `pub`", segment.text),
            ),
        ))
    }

    /// Resolves a path in type position.
    pub fn resolve_type_path(
        &self,
        m: ModuleId,
        file: FileId,
        path: &Path,
    ) -> Result<TypeRes, ResolveError> {
        let names: Vec<Name> = path.segments.iter().map(|s| s.name.clone()).collect();
        if names.len() == 1 {
            let name = &names[0];
            if let Some(d) = self.lookup_name(m, &name.text, Ns::Types) {
                return self.as_type(file, name, d);
            }
            if let Some(p) = Prim::from_name(&name.text) {
                return Ok(TypeRes::Prim(p));
            }
            let err = self
                .error(
                    file,
                    codes::UNRESOLVED_TYPE,
                    name.span,
                    format!("cannot find type `{}` in this scope", name.text),
                )
                .label("not found in this scope");
            return Err(self.error_with_similar(
                err,
                file,
                name,
                self.names_in_scope(m, Ns::Types),
            ));
        }
        match self.walk_prefix(m, file, &names)? {
            Prefix::Def(d) => self.as_type(file, &path.last().name, d),
            Prefix::Prim(p) => Ok(TypeRes::Prim(p)),
            Prefix::Module(_) => Err(self.error(
                file,
                codes::UNRESOLVED_TYPE,
                path.span,
                format!("expected type, found module `{}`", path.text()),
            )),
        }
    }

    fn as_type(&self, file: FileId, name: &Name, d: DefId) -> Result<TypeRes, ResolveError> {
        match self.def(d).kind {
            DefKind::Struct(_) | DefKind::Enum(_) => Ok(TypeRes::Def(d)),
            _ => Err(self.error(
                file,
                codes::UNRESOLVED_TYPE,
                name.span,
                format!(
                    "expected type, found {} `{}`",
                    self.def(d).describe(),
                    name.text
                ),
            )),
        }
    }

    /// Resolves a path in value position (not a local variable).
    pub fn resolve_value_path(
        &self,
        m: ModuleId,
        file: FileId,
        path: &Path,
    ) -> Result<ValueRes, ResolveError> {
        let names: Vec<Name> = path.segments.iter().map(|s| s.name.clone()).collect();
        let last = &names[names.len() - 1];
        if names.len() == 1 {
            if let Some(d) = self.lookup_name(m, &last.text, Ns::Values) {
                return Ok(ValueRes::Def(d));
            }
            if let Some(d) = self.lookup_name(m, &last.text, Ns::Types) {
                let def = self.def(d);
                return Err(self.error(
                    file,
                    codes::EXPECTED_VALUE,
                    last.span,
                    format!("expected value, found {} `{}`", def.describe(), last.text),
                ));
            }
            return Err(self
                .error(
                    file,
                    codes::UNRESOLVED_VALUE,
                    last.span,
                    format!("cannot find value `{}` in this scope", last.text),
                )
                .label("not found in this scope"));
        }
        let prefix = self.walk_prefix(m, file, &names[..names.len() - 1])?;
        let ty_segment = names.len() - 2;
        match prefix {
            Prefix::Prim(p) => Ok(ValueRes::Assoc {
                ty: TypeRes::Prim(p),
                ty_segment,
            }),
            Prefix::Module(module) => {
                let items = &self.module(module).items;
                if let Some(d) = items.get(&last.text).and_then(|p| p.values) {
                    return Ok(ValueRes::Def(d));
                }
                let err = self.error(
                    file,
                    codes::UNRESOLVED_VALUE,
                    last.span,
                    format!("cannot find `{}` in the crate root", last.text),
                );
                let names = items
                    .iter()
                    .filter_map(|(n, p)| Some((n.clone(), p.values?)))
                    .collect();
                Err(self.error_with_similar(err, file, last, names))
            }
            Prefix::Def(container) => match &self.def(container).kind {
                DefKind::Module(_) | DefKind::Enum(_) => {
                    if let Some(found) = self.member(container, &last.text, Ns::Values) {
                        if !self.def_visible(found, m) {
                            return Err(self.private(file, last, found));
                        }
                        return Ok(ValueRes::Def(found));
                    }
                    if matches!(self.def(container).kind, DefKind::Enum(_)) {
                        return Ok(ValueRes::Assoc {
                            ty: TypeRes::Def(container),
                            ty_segment,
                        });
                    }
                    if let Some(found) = self.member(container, &last.text, Ns::Types) {
                        return Err(self.error(
                            file,
                            codes::EXPECTED_VALUE,
                            last.span,
                            format!(
                                "expected value, found {} `{}`",
                                self.def(found).describe(),
                                path.text()
                            ),
                        ));
                    }
                    let err = self
                        .error(
                            file,
                            codes::UNRESOLVED_VALUE,
                            last.span,
                            format!(
                                "cannot find `{}` in {} `{}`",
                                last.text,
                                self.def(container).describe(),
                                self.def(container).name.text
                            ),
                        )
                        .label("not found");
                    Err(self.error_with_similar(
                        err,
                        file,
                        last,
                        self.member_names(container, Ns::Values, m),
                    ))
                }
                DefKind::Struct(_) => Ok(ValueRes::Assoc {
                    ty: TypeRes::Def(container),
                    ty_segment,
                }),
                _ => Err(self.error(
                    file,
                    codes::UNRESOLVED_PATH,
                    names[ty_segment].span,
                    format!(
                        "`{}` is a {}, not a module or type",
                        names[ty_segment].text,
                        self.def(container).describe()
                    ),
                )),
            },
        }
    }

    /// Resolves the path of a struct literal or struct pattern: a struct or
    /// an enum variant.
    pub fn resolve_struct_path(
        &self,
        m: ModuleId,
        file: FileId,
        path: &Path,
    ) -> Result<DefId, ResolveError> {
        let names: Vec<Name> = path.segments.iter().map(|s| s.name.clone()).collect();
        let last = &names[names.len() - 1];
        let found = if names.len() == 1 {
            self.lookup_name(m, &last.text, Ns::Types)
                .or_else(|| self.lookup_name(m, &last.text, Ns::Values))
        } else {
            match self.walk_prefix(m, file, &names[..names.len() - 1])? {
                Prefix::Def(container) => {
                    let found = self.member(container, &last.text, Ns::Types);
                    if let Some(f) = found
                        && !self.def_visible(f, m)
                    {
                        return Err(self.private(file, last, f));
                    }
                    found
                }
                Prefix::Module(module) => self
                    .module(module)
                    .items
                    .get(&last.text)
                    .and_then(|p| p.types),
                Prefix::Prim(_) => None,
            }
        };
        match found {
            Some(d)
                if matches!(
                    self.def(d).kind,
                    DefKind::Struct(_) | DefKind::Variant { .. }
                ) =>
            {
                Ok(d)
            }
            Some(d) => Err(self.error(
                file,
                codes::EXPECTED_STRUCT,
                path.span,
                format!(
                    "expected struct or variant, found {} `{}`",
                    self.def(d).describe(),
                    path.text()
                ),
            )),
            None => Err(self
                .error(
                    file,
                    codes::UNRESOLVED_TYPE,
                    last.span,
                    format!(
                        "cannot find struct or variant `{}` in this scope",
                        path.text()
                    ),
                )
                .label("not found in this scope")),
        }
    }

    /// The methods (and associated functions) named `name` of a type.
    pub fn find_assoc(&self, ty: TypeRes, name: &str) -> Option<DefId> {
        self.impls_by_type
            .get(&ty)?
            .iter()
            .flat_map(|i| self.impls[i.0 as usize].methods.iter())
            .copied()
            .find(|m| {
                let def = self.def(*m);
                def.name.text == name && !is_role_method(def)
            })
    }

    /// The hidden method of a std type with a role attribute (`deref`,
    /// `iter`, `index`).
    pub fn find_role(&self, ty: TypeRes, role: &str) -> Option<DefId> {
        self.impls_by_type
            .get(&ty)?
            .iter()
            .flat_map(|i| self.impls[i.0 as usize].methods.iter())
            .copied()
            .find(|m| self.def(*m).has_attr(role))
    }

    /// Every non-hidden method name of a type (for suggestions).
    pub fn assoc_names(&self, ty: TypeRes) -> Vec<String> {
        self.impls_by_type
            .get(&ty)
            .into_iter()
            .flatten()
            .flat_map(|i| self.impls[i.0 as usize].methods.iter())
            .filter(|m| !is_role_method(self.def(**m)))
            .map(|m| self.def(*m).name.text.clone())
            .collect()
    }
}

fn is_role_method(def: &Def) -> bool {
    def.has_attr("deref") || def.has_attr("iter") || def.has_attr("index")
}

impl ResolveError {
    fn label(mut self, label: &str) -> ResolveError {
        self.0.label = label.to_string();
        self
    }
}

#[derive(Debug, Clone, Copy)]
enum Prefix {
    Def(DefId),
    Module(ModuleId),
    Prim(Prim),
}

// ---------------------------------------------------------------------------
// Building the program

/// Parsed and lowered: what `build` needs of a file.
#[derive(Debug)]
pub struct ParsedFile {
    pub ast: crate::syntax::ast::SourceFile,
}

/// [`parse_file`] with the file's tree when there is one, and a lowering
/// cache when there is one.
fn parse_file_with(
    text: &str,
    tree: Option<tree_sitter::Tree>,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
    lowered: Option<&mut crate::syntax::LowerCache>,
) -> ParsedFile {
    let ast = match (tree, lowered) {
        (tree, Some(cache)) => {
            let tree = tree.unwrap_or_else(|| crate::syntax::parse(text));
            syntax_errors_of(&tree, text, file, diagnostics);
            crate::syntax::lower_file_cached(&tree, text, file, diagnostics, cache)
        }
        (Some(tree), None) => {
            syntax_errors_of(&tree, text, file, diagnostics);
            crate::syntax::lower_file(&tree, text, file, diagnostics)
        }
        // A one-shot analysis (`ward check`) parses and lowers a long file
        // on every core.
        (None, None) => {
            let pieces = crate::syntax::lower_in_pieces(
                text,
                file,
                crate::syntax::PIECE_MIN_BYTES,
                diagnostics,
            );
            pieces.unwrap_or_else(|| {
                let tree = crate::syntax::parse(text);
                syntax_errors_of(&tree, text, file, diagnostics);
                crate::syntax::lower_file(&tree, text, file, diagnostics)
            })
        }
    };
    ParsedFile { ast }
}

fn syntax_errors_of(
    tree: &tree_sitter::Tree,
    text: &str,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let span = |r: std::ops::Range<usize>| {
        Span::new(
            u32::try_from(r.start).unwrap_or(u32::MAX),
            u32::try_from(r.end).unwrap_or(u32::MAX),
        )
    };
    for error in crate::syntax::syntax_errors(tree, text) {
        let mut d = Diagnostic::error(
            codes::SYNTAX,
            FileSpan::new(file, span(error.span)),
            error.message,
        )
        .with_label(error.label);
        if let Some((at, insert, message)) = error.fix {
            d = d.with_fix(message, FileSpan::new(file, span(at..at)), insert);
        }
        d.repaired = error.repaired.map(span);
        diagnostics.push(d);
    }
}

/// Parses, lowers and reports syntax errors of one file.
pub fn parse_file(text: &str, file: FileId, diagnostics: &mut Vec<Diagnostic>) -> ParsedFile {
    parse_file_with(text, None, file, diagnostics, None)
}

struct Builder<'l> {
    program: Program,
    loader: &'l dyn SourceLoader,
    /// Files being loaded, outermost first, for cycle detection.
    loading: Vec<PathBuf>,
}

/// Builds the program rooted at `root_path` (its text comes from `loader`):
/// std, every file reached by `mod`, items, imports and impls.
pub fn build(root_path: &FsPath, loader: &dyn SourceLoader) -> Program {
    build_cached(root_path, loader, None)
}

/// [`build`], lowering the root file with `lowered` (which reuses the
/// unchanged items of an earlier version of it).
pub fn build_cached(
    root_path: &FsPath,
    loader: &dyn SourceLoader,
    lowered: Option<&mut crate::syntax::LowerCache>,
) -> Program {
    let mut builder = Builder {
        program: Program {
            files: Vec::new(),
            modules: Vec::new(),
            defs: Vec::new(),
            impls: Vec::new(),
            std_root: ModuleId(0),
            root: ModuleId(0),
            std_file: FileId(0),
            block_modules: HashMap::default(),
            impls_by_type: HashMap::default(),
            externs: HashMap::default(),
            diagnostics: Vec::new(),
        },
        loader,
        loading: Vec::new(),
    };
    // The root file is read first and parsed on another core while the
    // standard library (file 0, module 0; parsed and lowered once per
    // process, each program gets a copy of its items) is set up here.
    let text = loader.load(root_path);
    let root_file = FileId(1);
    let tree = text.as_ref().ok().and_then(|text| {
        // A tree with syntax errors is parsed again: tree-sitter's error
        // recovery after an incremental reparse can differ from a fresh
        // parse's, and diagnostics must not depend on the edit history.
        loader
            .tree(root_path)
            .filter(|t| t.root_node().end_byte() == text.len() && !t.root_node().has_error())
    });
    let parse_root = || {
        text.as_ref().ok().map(|text| {
            let mut diags = Vec::new();
            let parsed = parse_file_with(text, tree, root_file, &mut diags, lowered);
            (parsed, diags)
        })
    };
    let set_up_std = |builder: &mut Builder| {
        let std = std_items();
        let std_file = builder.add_file(PathBuf::from("<std>/std.ward"), std.text.clone());
        let std_root = builder.new_module("std", None, std_file, None, false, true);
        builder
            .program
            .diagnostics
            .extend(std.diagnostics.iter().cloned());
        builder.collect_items(std_root, std_file, std.items.clone());
        builder.add_prelude_variants(std_root);
    };
    let parsed = std::thread::scope(|scope| {
        let parsing = std::thread::Builder::new()
            .name("ward-parse".into())
            .stack_size(crate::ANALYSIS_STACK)
            .spawn_scoped(scope, parse_root);
        set_up_std(&mut builder);
        match parsing {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread: parse here (the closure moved into the failed
            // spawn, so build it again).
            Err(_) => None,
        }
    });
    let parsed = match parsed {
        Some(parsed) => Some(parsed),
        None => text.as_ref().ok().map(|text| {
            let mut diags = Vec::new();
            let parsed = parse_file_with(text, None, root_file, &mut diags, None);
            (parsed, diags)
        }),
    };

    let added = builder.add_file(root_path.to_path_buf(), text.clone().unwrap_or_default());
    debug_assert_eq!(added, root_file, "std is file 0, the root file 1");
    let root = builder.new_module("", None, root_file, None, false, false);
    builder.program.root = root;
    match (&text, parsed) {
        (Err(why), _) => {
            builder.program.diagnostics.push(Diagnostic::error(
                codes::MODULE_FILE_NOT_FOUND,
                FileSpan::new(root_file, Span::default()),
                format!("cannot read {}: {why}", root_path.display()),
            ));
        }
        (Ok(_), Some((parsed, diags))) => {
            builder.loading.push(canonical(root_path));
            builder.program.diagnostics.extend(diags);
            builder.collect_items(root, root_file, parsed.ast.items);
            builder.loading.pop();
        }
        (Ok(_), None) => {}
    }
    builder.load_packages(root);
    builder.resolve_imports();
    builder.resolve_impls();
    builder.program
}

/// The standard library's declarations, parsed and lowered.
struct StdItems {
    text: String,
    items: Vec<Item>,
    diagnostics: Vec<Diagnostic>,
}

fn std_items() -> &'static StdItems {
    static STD: std::sync::OnceLock<StdItems> = std::sync::OnceLock::new();
    STD.get_or_init(|| {
        let text = std_source();
        let mut diagnostics = Vec::new();
        let parsed = parse_file(&text, FileId(0), &mut diagnostics);
        StdItems {
            text,
            items: parsed.ast.items,
            diagnostics,
        }
    })
}

fn canonical(path: &FsPath) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl Builder<'_> {
    fn add_file(&mut self, path: PathBuf, text: String) -> FileId {
        let id = FileId(u32::try_from(self.program.files.len()).unwrap_or(u32::MAX));
        self.program.files.push(SourceFile::new(path, text));
        id
    }

    fn new_module(
        &mut self,
        name: &str,
        parent: Option<ModuleId>,
        file: FileId,
        def: Option<DefId>,
        is_block: bool,
        is_std: bool,
    ) -> ModuleId {
        let id = ModuleId(u32::try_from(self.program.modules.len()).unwrap_or(u32::MAX));
        self.program.modules.push(Module {
            name: name.to_string(),
            parent,
            file,
            def,
            items: HashMap::default(),
            imports: Vec::new(),
            is_block,
            is_std,
        });
        id
    }

    fn add_def(&mut self, def: Def) -> DefId {
        let id = DefId(u32::try_from(self.program.defs.len()).unwrap_or(u32::MAX));
        self.program.defs.push(def);
        id
    }

    /// Binds `name` in a module's namespace, reporting a duplicate.
    fn bind(&mut self, m: ModuleId, name: &Name, ns: Ns, def: DefId) {
        if name.text.is_empty() {
            return;
        }
        let file = self.program.def(def).file;
        let entry = self.program.modules[m.0 as usize]
            .items
            .entry(name.text.clone())
            .or_default();
        let slot = match ns {
            Ns::Types => &mut entry.types,
            Ns::Values => &mut entry.values,
        };
        if let Some(previous) = *slot {
            let prev = self.program.def(previous).file_span();
            let what = match ns {
                Ns::Types => "type",
                Ns::Values => "value",
            };
            self.program.diagnostics.push(
                Diagnostic::error(
                    codes::DUPLICATE_DEFINITION,
                    FileSpan::new(file, name.span),
                    format!("the name `{}` is defined multiple times", name.text),
                )
                .with_label(format!("`{}` redefined here", name.text))
                .with_secondary(
                    prev,
                    format!("previous definition of the {what} `{}` here", name.text),
                )
                .with_note(format!(
                    "`{}` must be defined only once in the {what} namespace of this module",
                    name.text
                )),
            );
        } else {
            *slot = Some(def);
        }
    }

    fn def_for(item: &Item, name: Name, kind: DefKind, m: ModuleId, file: FileId) -> Def {
        Def {
            name,
            kind,
            module: m,
            file,
            is_pub: item.is_pub,
            attrs: item.attrs.clone(),
            doc: item.doc.clone(),
            span: item.span,
            owner: None,
        }
    }

    fn collect_items(&mut self, m: ModuleId, file: FileId, items: Vec<Item>) {
        for item in items {
            self.collect_item(m, file, item);
        }
    }

    /// Makes the item's definitions; the item's syntax moves into them.
    fn collect_item(&mut self, m: ModuleId, file: FileId, mut item: Item) {
        let kind = std::mem::replace(
            &mut item.kind,
            ItemKind::Use(crate::syntax::ast::UseTree::default()),
        );
        let item = &item;
        match kind {
            ItemKind::Fn(f) => {
                let name = f.name.clone();
                let def = Self::def_for(item, name.clone(), DefKind::Fn(f), m, file);
                let id = self.add_def(def);
                self.bind(m, &name, Ns::Values, id);
                self.collect_block_items(id, m, file);
            }
            ItemKind::Struct(s) => {
                let name = s.name.clone();
                let is_value = !matches!(s.fields, Fields::Named(_));
                let def = Self::def_for(item, name.clone(), DefKind::Struct(s), m, file);
                let id = self.add_def(def);
                self.bind(m, &name, Ns::Types, id);
                if is_value {
                    self.bind(m, &name, Ns::Values, id);
                }
            }
            ItemKind::Enum(e) => {
                let name = e.name.clone();
                let variants: Vec<(Name, Span)> = e
                    .variants
                    .iter()
                    .map(|v| (v.name.clone(), v.span))
                    .collect();
                let def = Self::def_for(item, name.clone(), DefKind::Enum(e), m, file);
                let id = self.add_def(def);
                let mut seen: HashMap<String, Span> = HashMap::default();
                for (index, (variant, variant_span)) in variants.into_iter().enumerate() {
                    if let Some(prev) = seen.insert(variant.text.clone(), variant.span) {
                        self.program.diagnostics.push(
                            Diagnostic::error(
                                codes::DUPLICATE_DEFINITION,
                                FileSpan::new(file, variant.span),
                                format!("the name `{}` is defined multiple times", variant.text),
                            )
                            .with_label(format!("`{}` redefined here", variant.text))
                            .with_secondary(FileSpan::new(file, prev), "previous definition here"),
                        );
                    }
                    self.add_def(Def {
                        name: variant,
                        kind: DefKind::Variant { parent: id, index },
                        module: m,
                        file,
                        is_pub: item.is_pub,
                        attrs: Vec::new(),
                        doc: None,
                        span: variant_span,
                        owner: None,
                    });
                }
                self.bind(m, &name, Ns::Types, id);
            }
            ItemKind::Const(c) => {
                let name = c.name.clone();
                let def = Self::def_for(item, name.clone(), DefKind::Const(c), m, file);
                let id = self.add_def(def);
                self.bind(m, &name, Ns::Values, id);
            }
            ItemKind::Use(tree) => {
                for import in tree.imports {
                    self.program.modules[m.0 as usize]
                        .imports
                        .push(ImportEntry {
                            import,
                            is_pub: item.is_pub,
                            file,
                            target: PerNs::default(),
                            glob_source: None,
                            used: std::sync::atomic::AtomicBool::new(false),
                            resolved: false,
                        });
                }
            }
            ItemKind::Impl(imp) => {
                let impl_id = ImplId(u32::try_from(self.program.impls.len()).unwrap_or(u32::MAX));
                self.program.impls.push(ImplDef {
                    generics: imp.generics,
                    self_ty: imp.self_ty,
                    module: m,
                    file,
                    methods: Vec::new(),
                    span: item.span,
                });
                let mut seen: HashMap<String, Span> = HashMap::default();
                for mut inner in imp.items {
                    let kind = std::mem::replace(
                        &mut inner.kind,
                        ItemKind::Use(crate::syntax::ast::UseTree::default()),
                    );
                    let ItemKind::Fn(f) = kind else {
                        self.program.diagnostics.push(Diagnostic::error(
                            codes::UNSUPPORTED,
                            FileSpan::new(file, inner.span),
                            "only functions can appear in an `impl` block",
                        ));
                        continue;
                    };
                    if let Some(prev) = seen.insert(f.name.text.clone(), f.name.span) {
                        self.program.diagnostics.push(
                            Diagnostic::error(
                                codes::DUPLICATE_DEFINITION,
                                FileSpan::new(file, f.name.span),
                                format!("duplicate definitions with name `{}`", f.name.text),
                            )
                            .with_label("duplicate definition")
                            .with_secondary(
                                FileSpan::new(file, prev),
                                format!("other definition for `{}`", f.name.text),
                            ),
                        );
                    }
                    let mut def = Self::def_for(&inner, f.name.clone(), DefKind::Fn(f), m, file);
                    def.owner = Some(impl_id);
                    let id = self.add_def(def);
                    self.program.impls[impl_id.0 as usize].methods.push(id);
                    self.collect_block_items(id, m, file);
                }
            }
            ItemKind::Mod(module) => {
                let name = module.name.clone();
                let def_id = DefId(u32::try_from(self.program.defs.len()).unwrap_or(u32::MAX));
                let is_std = self.program.module(m).is_std;
                let child_file;
                let items = if let Some(items) = &module.items {
                    child_file = file;
                    Some(items.clone())
                } else {
                    let (f, items) = self.load_module_file(file, &name);
                    child_file = f;
                    Some(items)
                };
                let child =
                    self.new_module(&name.text, Some(m), child_file, Some(def_id), false, is_std);
                let def = Self::def_for(item, name.clone(), DefKind::Module(child), m, file);
                self.add_def(def);
                self.bind(m, &name, Ns::Types, def_id);
                if let Some(items) = items {
                    self.collect_items(child, child_file, items);
                }
                if module.items.is_none() {
                    self.loading.pop();
                }
            }
        }
    }

    /// Loads `name.ward` beside the file declaring `mod name;`. Pushes the
    /// file on the loading stack; the caller pops it.
    fn load_module_file(&mut self, from: FileId, name: &Name) -> (FileId, Vec<Item>) {
        let dir = self
            .program
            .file(from)
            .path
            .parent()
            .map(FsPath::to_path_buf)
            .unwrap_or_default();
        let path = dir.join(format!("{}.ward", name.text));
        let key = canonical(&path);
        if let Some(pos) = self.loading.iter().position(|p| *p == key) {
            let chain: Vec<String> = self.loading[pos..]
                .iter()
                .map(|p| {
                    p.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                })
                .collect();
            self.program.diagnostics.push(
                Diagnostic::error(
                    codes::CYCLIC_MODULE,
                    FileSpan::new(from, name.span),
                    format!(
                        "module `{}` is already being loaded: `mod` declarations form a cycle",
                        name.text
                    ),
                )
                .with_label(format!("loads {} again", path.display()))
                .with_note(format!(
                    "cycle: {} -> {}",
                    chain.join(" -> "),
                    key.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                )),
            );
            self.loading.push(key);
            return (from, Vec::new());
        }
        let text = match self.loader.load(&path) {
            Ok(text) => text,
            Err(LoadError::NotFound) => {
                self.program.diagnostics.push(
                    Diagnostic::error(
                        codes::MODULE_FILE_NOT_FOUND,
                        FileSpan::new(from, name.span),
                        format!("file not found for module `{}`", name.text),
                    )
                    .with_help(format!(
                        "create {} beside this file, or write the module inline: `mod {} {{ … }}`",
                        path.display(),
                        name.text
                    )),
                );
                self.loading.push(key);
                return (from, Vec::new());
            }
            Err(why) => {
                self.program.diagnostics.push(Diagnostic::error(
                    codes::MODULE_FILE_NOT_FOUND,
                    FileSpan::new(from, name.span),
                    format!(
                        "cannot load module `{}` from {}: {why}",
                        name.text,
                        path.display()
                    ),
                ));
                self.loading.push(key);
                return (from, Vec::new());
            }
        };
        self.loading.push(key);
        self.add_parsed_file(path, text)
    }

    /// Adds a loaded file, parses it and keeps its syntax diagnostics.
    fn add_parsed_file(&mut self, path: PathBuf, text: String) -> (FileId, Vec<Item>) {
        let file = self.add_file(path, text);
        let mut diags = Vec::new();
        let parsed = parse_file(
            &self.program.files[file.0 as usize].text.clone(),
            file,
            &mut diags,
        );
        self.program.diagnostics.extend(diags);
        (file, parsed.ast.items)
    }

    /// Items declared inside the blocks of a body get an anonymous module per
    /// block, whose lookups continue in the enclosing module.
    fn collect_block_items(&mut self, owner: DefId, m: ModuleId, file: FileId) {
        let DefKind::Fn(f) = &self.program.def(owner).kind else {
            return;
        };
        if !f.body.has_items {
            return;
        }
        let mut found: Vec<(ExprId, Vec<Item>)> = Vec::new();
        for (i, expr) in f.body.exprs.iter().enumerate() {
            if let ExprKind::Block(block) = &expr.kind {
                let items: Vec<Item> = block
                    .stmts
                    .iter()
                    .filter_map(|s| match s {
                        Stmt::Item(item) => Some((**item).clone()),
                        _ => None,
                    })
                    .collect();
                if !items.is_empty() {
                    found.push((ExprId(u32::try_from(i).unwrap_or(u32::MAX)), items));
                }
            }
        }
        for (block, items) in found {
            let child = self.new_module("", Some(m), file, None, true, false);
            self.program.block_modules.insert((owner, block), child);
            self.collect_items(child, file, items);
        }
    }

    /// `Some`, `None`, `Ok` and `Err` are in scope everywhere.
    fn add_prelude_variants(&mut self, std_root: ModuleId) {
        for (enum_name, variants) in [("Option", ["Some", "None"]), ("Result", ["Ok", "Err"])] {
            let Some(enum_def) = self
                .program
                .module(std_root)
                .items
                .get(enum_name)
                .and_then(|p| p.types)
            else {
                continue;
            };
            for variant in variants {
                if let Some(v) = self.program.member(enum_def, variant, Ns::Values) {
                    let name = self.program.def(v).name.clone();
                    let entry = self.program.modules[std_root.0 as usize]
                        .items
                        .entry(name.text.clone())
                        .or_default();
                    entry.values = Some(v);
                }
            }
        }
    }

    /// Resolves `use` imports until nothing changes (an import may go
    /// through another), then reports the ones that never resolved.
    fn resolve_imports(&mut self) {
        loop {
            let mut progress = false;
            for m in 0..self.program.modules.len() {
                for i in 0..self.program.modules[m].imports.len() {
                    if self.program.modules[m].imports[i].resolved {
                        continue;
                    }
                    let module = ModuleId(u32::try_from(m).unwrap_or(u32::MAX));
                    let entry = &self.program.modules[m].imports[i];
                    if let Ok((target, glob)) = self.try_import(module, &entry.import, entry.file) {
                        let entry = &mut self.program.modules[m].imports[i];
                        entry.target = target;
                        entry.glob_source = glob;
                        entry.resolved = true;
                        progress = true;
                    }
                }
            }
            if !progress {
                break;
            }
        }
        let mut errors = Vec::new();
        for m in 0..self.program.modules.len() {
            for entry in &self.program.modules[m].imports {
                if !entry.resolved {
                    let module = ModuleId(u32::try_from(m).unwrap_or(u32::MAX));
                    if let Err(error) = self.try_import(module, &entry.import, entry.file) {
                        errors.push(*error.0);
                    }
                }
            }
        }
        self.program.diagnostics.extend(errors);
        // Two imports binding one name, or an import shadowing an item.
        for m in 0..self.program.modules.len() {
            let module = &self.program.modules[m];
            let mut seen: HashMap<(String, bool), Span> = HashMap::default();
            let mut dups = Vec::new();
            for entry in &module.imports {
                let Some(binding) = entry.import.binding() else {
                    continue;
                };
                for (ns, present) in [
                    (false, entry.target.types.is_some()),
                    (true, entry.target.values.is_some()),
                ] {
                    if !present {
                        continue;
                    }
                    let clash_item = module.items.get(&binding.text).is_some_and(|p| {
                        if ns {
                            p.values.is_some()
                        } else {
                            p.types.is_some()
                        }
                    });
                    if clash_item
                        || seen
                            .insert((binding.text.clone(), ns), binding.span)
                            .is_some()
                    {
                        dups.push(
                            Diagnostic::error(
                                codes::DUPLICATE_DEFINITION,
                                FileSpan::new(entry.file, binding.span),
                                format!("the name `{}` is defined multiple times", binding.text),
                            )
                            .with_label(format!("`{}` reimported here", binding.text))
                            .with_help(format!(
                                "import it under another name: `as other_{}`",
                                binding.text
                            )),
                        );
                    }
                }
            }
            self.program.diagnostics.extend(dups);
        }
    }

    fn try_import(
        &self,
        m: ModuleId,
        import: &Import,
        file: FileId,
    ) -> Result<(PerNs, Option<DefId>), ResolveError> {
        let p = &self.program;
        let path = &import.path;
        if path.is_empty() {
            return Err(p.error(
                file,
                codes::UNRESOLVED_IMPORT,
                import.span,
                "empty import".to_string(),
            ));
        }
        // `use a::b::{self}` imports the module `b`.
        let path = match path.last() {
            Some(last) if last.text == "self" && path.len() > 1 => &path[..path.len() - 1],
            _ => &path[..],
        };
        if import.glob {
            let container = match p.walk_prefix(m, file, path) {
                Ok(Prefix::Def(d))
                    if matches!(p.def(d).kind, DefKind::Module(_) | DefKind::Enum(_)) =>
                {
                    d
                }
                Ok(_) => {
                    return Err(p.error(
                        file,
                        codes::UNRESOLVED_IMPORT,
                        import.span,
                        format!("`{}` is not a module or enum", names(path)),
                    ));
                }
                Err(e) => return Err(import_error(e)),
            };
            return Ok((PerNs::default(), Some(container)));
        }
        if path.len() == 1 {
            let name = &path[0];
            if let Some(special) = p.special_module(m, &name.text) {
                return match p.module_def(special) {
                    Some(d) => Ok((
                        PerNs {
                            types: Some(d),
                            values: None,
                        },
                        None,
                    )),
                    None => Err(p.error(
                        file,
                        codes::UNRESOLVED_IMPORT,
                        name.span,
                        "the crate root cannot be imported".to_string(),
                    )),
                };
            }
            // `use beds;` names a module or item already in scope.
            let types = p.module(m).items.get(&name.text).and_then(|x| x.types);
            let values = p.module(m).items.get(&name.text).and_then(|x| x.values);
            if types.is_none() && values.is_none() {
                return Err(p
                    .error(
                        file,
                        codes::UNRESOLVED_IMPORT,
                        name.span,
                        format!("unresolved import `{}`", name.text),
                    )
                    .label("no such module or item in this scope"));
            }
            return Ok((PerNs { types, values }, None));
        }
        let last = &path[path.len() - 1];
        let container = match p
            .walk_prefix(m, file, &path[..path.len() - 1])
            .map_err(import_error)?
        {
            Prefix::Def(d) => d,
            Prefix::Module(module) => {
                let items = p
                    .module(module)
                    .items
                    .get(&last.text)
                    .copied()
                    .unwrap_or_default();
                if items.types.is_none() && items.values.is_none() {
                    return Err(p.error(
                        file,
                        codes::UNRESOLVED_IMPORT,
                        last.span,
                        format!("unresolved import: no `{}` in the crate root", last.text),
                    ));
                }
                return Ok((items, None));
            }
            Prefix::Prim(_) => {
                return Err(p.error(
                    file,
                    codes::UNRESOLVED_IMPORT,
                    last.span,
                    format!("unresolved import `{}`", names(path)),
                ));
            }
        };
        if !matches!(p.def(container).kind, DefKind::Module(_) | DefKind::Enum(_)) {
            return Err(p.error(
                file,
                codes::UNRESOLVED_IMPORT,
                last.span,
                format!(
                    "unresolved import `{}`: `{}` is a {}, not a module",
                    names(path),
                    p.def(container).name.text,
                    p.def(container).describe()
                ),
            ));
        }
        let types = p.member(container, &last.text, Ns::Types);
        let values = p.member(container, &last.text, Ns::Values);
        if types.is_none() && values.is_none() {
            let container_def = p.def(container);
            return Err(p
                .error(
                    file,
                    codes::UNRESOLVED_IMPORT,
                    last.span,
                    format!(
                        "unresolved import `{}`: no `{}` in `{}`",
                        names(path),
                        last.text,
                        container_def.name.text
                    ),
                )
                .label(format!("no `{}` in `{}`", last.text, container_def.name.text).as_str()));
        }
        for found in [types, values].into_iter().flatten() {
            if !p.def_visible(found, m) {
                return Err(p.private(file, last, found));
            }
        }
        Ok((PerNs { types, values }, None))
    }

    /// `impl View { … }` for `struct View<'a>`: an impl header must write
    /// the type's lifetimes (`impl<'a> View<'a>` or `impl View<'_>`), as in
    /// Rust 2018 (E0726); the impl is still filed, its lifetimes elided.
    fn elided_impl_lifetimes(
        &self,
        file: FileId,
        path: &crate::syntax::ast::Path,
        res: TypeRes,
    ) -> Option<Diagnostic> {
        let TypeRes::Def(d) = res else {
            return None;
        };
        let generics = match &self.program.def(d).kind {
            DefKind::Struct(s) => &s.generics,
            DefKind::Enum(e) => &e.generics,
            _ => return None,
        };
        let wanted = generics.lifetimes().count();
        let last = path.last();
        let written = last
            .args
            .iter()
            .filter(|a| matches!(a, crate::syntax::ast::GenericArg::Lifetime(_)))
            .count();
        if wanted == 0 || written > 0 {
            return None;
        }
        let anon = vec!["'_"; wanted].join(", ");
        let (fix_span, text) = match last.args.first() {
            Some(crate::syntax::ast::GenericArg::Type(t)) => {
                (t.span().shrink_to_lo(), format!("{anon}, "))
            }
            _ => (path.span.shrink_to_hi(), format!("<{anon}>")),
        };
        Some(
            Diagnostic::error(
                codes::IMPLICIT_ELIDED_LIFETIME,
                FileSpan::new(file, path.span),
                "implicit elided lifetime not allowed here",
            )
            .with_label(format!(
                "expected lifetime parameter{}",
                if wanted > 1 { "s" } else { "" }
            ))
            .with_fix(
                "indicate the anonymous lifetime",
                FileSpan::new(file, fix_span),
                text,
            ),
        )
    }

    /// Files each `impl` under the type it implements.
    fn resolve_impls(&mut self) {
        let mut by_type: HashMap<TypeRes, Vec<ImplId>> = HashMap::default();
        let mut errors = Vec::new();
        for (i, imp) in self.program.impls.iter().enumerate() {
            let id = ImplId(u32::try_from(i).unwrap_or(u32::MAX));
            let path = match &imp.self_ty {
                TypeRef::Path(path) => path,
                other => {
                    errors.push(Diagnostic::error(
                        codes::UNSUPPORTED,
                        FileSpan::new(imp.file, other.span()),
                        "an `impl` block must name a struct, an enum or a built-in type",
                    ));
                    continue;
                }
            };
            match self.program.resolve_type_path(imp.module, imp.file, path) {
                Ok(res) => {
                    if !self.program.module(imp.module).is_std
                        && (matches!(res, TypeRes::Prim(_))
                            || matches!(res, TypeRes::Def(d) if self.program.is_std_def(d)))
                    {
                        errors.push(
                            Diagnostic::error(
                                codes::UNSUPPORTED,
                                FileSpan::new(imp.file, path.span),
                                format!(
                                    "cannot define methods on the built-in type `{}`",
                                    path.text()
                                ),
                            )
                            .with_note(
                                "methods come from `impl` blocks on types defined in this program",
                            ),
                        );
                        continue;
                    }
                    if let Some(e) = self.elided_impl_lifetimes(imp.file, path, res) {
                        errors.push(e);
                    }
                    by_type.entry(res).or_default().push(id);
                }
                Err(e) => errors.push(*e.0),
            }
        }
        // A method name defined in two impl blocks of one type.
        for ids in by_type.values() {
            let mut seen: HashMap<&str, DefId> = HashMap::default();
            for imp in ids {
                for m in &self.program.impls[imp.0 as usize].methods {
                    let def = self.program.def(*m);
                    if let Some(prev) = seen.insert(&def.name.text, *m)
                        && self.program.def(prev).owner != def.owner
                    {
                        errors.push(
                            Diagnostic::error(
                                codes::DUPLICATE_DEFINITION,
                                def.file_span(),
                                format!("duplicate definitions with name `{}`", def.name.text),
                            )
                            .with_label("duplicate definition")
                            .with_secondary(
                                self.program.def(prev).file_span(),
                                format!("other definition for `{}`", def.name.text),
                            ),
                        );
                    }
                }
            }
        }
        self.program.impls_by_type = by_type;
        self.program.diagnostics.extend(errors);
    }
}

fn names(path: &[Name]) -> String {
    path.iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

fn import_error(mut e: ResolveError) -> ResolveError {
    if e.0.code == codes::UNRESOLVED_PATH {
        e.0.code = codes::UNRESOLVED_IMPORT;
    }
    e
}
