//! Code generation: MIR to register bytecode.
//!
//! Each MIR local gets a register (a closure's captures go right after its
//! parameters, where the VM puts a reference to each; see `captures`);
//! statements become typed
//! instructions over those registers plus short-lived scratch registers.
//! A place with projections is reached through a chain of `addr_*`
//! instructions and read, written or moved through the final reference.
//! Generic code is compiled once: type parameters get `any` registers.
//!
//! Drops happen where the MIR puts them (the borrow checker's drop points);
//! a moved-out register or field is left empty, which is its drop flag, so
//! a drop of something already moved frees nothing. Panics unwind through
//! handler ranges: each call's unwind edge, and each block's unwind target
//! for its statements that can panic, becomes a range of the function's
//! handler table, so the happy path runs no error-handling code at all.

// Register numbers, counts and code offsets are bounded by the `u16`/`u32`
// fields of the bytecode; `Codegen` reports a function that outgrows them.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]
// Matching on one variant with a fallback reads as a case split here.
#![allow(clippy::single_match_else)]

mod captures;
mod loops;
mod peephole;

use crate::borrowck::extents::{CellSite, End, Releases, extents};
use std::collections::HashMap;

use ward_runtime::bytecode::{
    Assembler, Constant, Function, Handler, LineEntry, Module, Op, RegRange, RegType, TypeDef,
};
use ward_runtime::vm::well_known;

use crate::diagnostics::FileId;
use crate::mir::{
    AggregateKind, BlockId, Body, Builtin, Callee, Const, FnMir, Local, LocalKind, Operand, Place,
    Proj, Rvalue, StatementKind, TempKind, TerminatorKind, UnOp,
};
use crate::resolve::{DefId, DefKind, Program};
use crate::syntax::ast::BinaryOp;
use crate::types::ConstValue;
use crate::types::TypedProgram;
use crate::types::ty::Ty;

/// Why a program could not be compiled to bytecode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodegenError {
    pub function: String,
    pub message: String,
}

impl std::fmt::Display for CodegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "in `{}`: {}", self.function, self.message)
    }
}

impl std::error::Error for CodegenError {}

/// A compiled program: the module and its `#[test]` functions.
#[derive(Debug)]
pub struct Compiled {
    pub module: Module,
    /// `(name, function index)` of every `#[test]` function.
    pub tests: Vec<(String, u32)>,
}

/// The name a function has in the compiled module (and in backtraces and
/// profiles): `Type::method` for methods, the item's path otherwise.
pub fn function_name(program: &Program, typed: &TypedProgram, def: DefId) -> String {
    let d = program.def(def);
    if let Some(owner) = d.owner
        && let Some((_, self_ty)) = typed.impl_self.get(&owner)
    {
        let ty = match self_ty {
            Ty::Adt(a, _) => program.def(*a).name.text.clone(),
            other => crate::types::ty::display(program, other),
        };
        return format!("{ty}::{}", d.name.text);
    }
    program.def_path(def)
}

/// The field names `Debug` prints: those of a struct or struct-like
/// variant, none for a tuple struct or variant (whose fields are `0`, `1`…).
fn debug_field_names(fields: &[(String, Ty)]) -> Vec<String> {
    if fields
        .iter()
        .all(|(n, _)| n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Vec::new();
    }
    fields.iter().map(|(n, _)| n.clone()).collect()
}

/// Compiles every user function of a checked program (one without errors).
pub fn compile(program: &Program, typed: &TypedProgram) -> Result<Compiled, CodegenError> {
    let mut mirs = crate::mir::build_program(program, typed);
    // Each body's `for` loops, rewritten to step without allocating.
    let mut fused: Vec<Vec<loops::Fused>> = Vec::with_capacity(mirs.len());
    for m in &mut mirs {
        let captured = |parent: Option<u32>| -> Vec<Local> {
            m.closures
                .iter()
                .filter(|c| c.parent == parent)
                .flat_map(|c| c.captures.iter().map(|cap| cap.place.local))
                .collect()
        };
        let mut these = Vec::with_capacity(1 + m.closures.len());
        let main = captured(None);
        let of_closures: Vec<Vec<Local>> = (0..m.closures.len())
            .map(|i| captured(Some(i as u32)))
            .collect();
        these.push(loops::fuse(program, &mut m.body, &main));
        for (c, captured) in m.closures.iter_mut().zip(&of_closures) {
            captures::by_reference(c);
            these.push(loops::fuse(program, c, captured));
        }
        fused.push(these);
    }
    // What each function needs, recorded so that a host can refuse to
    // start one without it.
    let caps = crate::caps::check_program(program, typed);
    let mut mb = ModuleBuilder::new(program, typed);
    // Functions first, then each function's closures.
    let mut next = 0u32;
    for m in &mirs {
        mb.fn_index.insert((m.def, None), next);
        next += 1;
    }
    for m in &mirs {
        for i in 0..m.closures.len() {
            mb.fn_index.insert((m.def, Some(i as u32)), next);
            next += 1;
        }
    }
    mb.first_native_value = next;
    let mut functions: Vec<Option<Function>> = vec![None; next as usize];
    let mut tests = Vec::new();
    for (m, fused) in mirs.iter().zip(fused) {
        let idx = mb.fn_index[&(m.def, None)];
        let name = mb.function_name(m);
        let mut fused = fused.into_iter();
        let main = fused.next().unwrap_or_default();
        let mut compiled = FnGen::run(&mut mb, m, None, name.clone(), main)?;
        compiled.caps = caps.requirement(program, m.def);
        functions[idx as usize] = Some(compiled);
        for (i, loops) in (0..m.closures.len()).zip(fused) {
            let ci = mb.fn_index[&(m.def, Some(i as u32))];
            let cname = format!("{name}::{{closure#{i}}}");
            functions[ci as usize] = Some(FnGen::run(&mut mb, m, Some(i as u32), cname, loops)?);
        }
        let def = program.def(m.def);
        if def.has_attr("test") && !program.is_in_package(def.module) {
            tests.push((name, idx));
        }
        if def.name.text == "main" && def.module == program.root && def.owner.is_none() {
            mb.module.entry = Some(idx);
        }
    }
    mb.module.functions = functions.into_iter().flatten().collect();
    let native_values = std::mem::take(&mut mb.native_values);
    mb.module.functions.extend(native_values);
    Ok(Compiled {
        module: mb.module,
        tests,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TypeKey {
    Adt(DefId),
    Tuple(Vec<RegType>),
    List,
    Map,
    Closure(Vec<RegType>, RegType),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ConstKey {
    Int(i64),
    Float(u64),
    Char(char),
    Str(String),
}

struct ModuleBuilder<'a> {
    program: &'a Program,
    typed: &'a TypedProgram,
    module: Module,
    types: HashMap<TypeKey, u32>,
    consts: HashMap<ConstKey, u32>,
    natives: HashMap<String, u16>,
    fn_index: HashMap<(DefId, Option<u32>), u32>,
    files: HashMap<FileId, u32>,
    /// Static slots handed out to `promote` instructions so far.
    statics: u16,
    /// Zones and their computed bounds (the size of a `zone { … }`).
    realtime: crate::realtime::Realtime,
    /// Std entries used as `fn` values: each gets a function of its own
    /// that calls its native, numbered from `first_native_value` on.
    native_values: Vec<Function>,
    native_value_index: HashMap<DefId, u32>,
    first_native_value: u32,
    /// Inline cache slots handed out to `json_get` sites so far.
    member_sites: u16,
}

impl<'a> ModuleBuilder<'a> {
    fn new(program: &'a Program, typed: &'a TypedProgram) -> Self {
        let mut mb = ModuleBuilder {
            program,
            typed,
            module: Module {
                name: program
                    .files
                    .iter()
                    .enumerate()
                    .find(|(i, _)| *i != program.std_file.0 as usize)
                    .map(|(_, f)| f.path.display().to_string())
                    .unwrap_or_default(),
                ..Module::default()
            },
            types: HashMap::new(),
            consts: HashMap::new(),
            natives: HashMap::new(),
            fn_index: HashMap::new(),
            files: HashMap::new(),
            statics: 0,
            realtime: crate::realtime::check_program(program, typed),
            native_values: Vec::new(),
            native_value_index: HashMap::new(),
            first_native_value: 0,
            member_sites: 0,
        };
        // The types the runtime builds itself, at fixed indices.
        for name in ["Option", "Result"] {
            let def = program.lang_item(name);
            let idx = mb.module.types.len() as u32;
            mb.module.types.push(TypeDef::Enum {
                name: name.into(),
                variants: Vec::new(),
                field_names: Vec::new(),
            });
            if let Some(d) = def {
                mb.types.insert(TypeKey::Adt(d), idx);
            }
        }
        let record = |name: &str, fields: &[(&str, RegType)]| TypeDef::Record {
            name: name.into(),
            fields: fields.iter().map(|f| f.1).collect(),
            field_names: fields.iter().map(|f| f.0.to_string()).collect(),
        };
        let error_idx = mb.module.types.len() as u32;
        mb.module.types.push(record(
            "Error",
            &[
                ("kind", RegType::Str),
                ("message", RegType::Str),
                ("location", RegType::Str),
                ("cause", RegType::Owned(well_known::OPTION)),
            ],
        ));
        let panic_idx = mb.module.types.len() as u32;
        mb.module.types.push(record(
            "Panic",
            &[
                ("message", RegType::Str),
                ("location", RegType::Str),
                ("backtrace", RegType::Str),
            ],
        ));
        let range_idx = mb.module.types.len() as u32;
        mb.module.types.push(record(
            "Range",
            &[
                ("start", RegType::Any),
                ("end", RegType::Any),
                ("inclusive", RegType::Bool),
            ],
        ));
        mb.module.types.push(TypeDef::Record {
            name: String::new(),
            fields: vec![RegType::Any, RegType::Any],
            field_names: Vec::new(),
        });
        mb.types.insert(
            TypeKey::Tuple(vec![RegType::Any, RegType::Any]),
            well_known::PAIR,
        );
        for (name, idx) in [
            ("Error", error_idx),
            ("Panic", panic_idx),
            ("Range", range_idx),
        ] {
            if let Some(d) = program.lang_item(name) {
                mb.types.insert(TypeKey::Adt(d), idx);
            }
        }
        // Option and Result variants, now that their indices exist.
        for (name, idx) in [
            ("Option", well_known::OPTION),
            ("Result", well_known::RESULT),
        ] {
            if let Some(d) = program.lang_item(name) {
                let (variants, field_names) = mb.variants_of(d);
                mb.module.types[idx as usize] = TypeDef::Enum {
                    name: name.into(),
                    variants,
                    field_names,
                };
            }
        }
        mb
    }

    /// Each variant's name and field types, and the field names of the
    /// struct-like ones.
    #[allow(clippy::type_complexity)]
    fn variants_of(&mut self, enum_def: DefId) -> (Vec<(String, Vec<RegType>)>, Vec<Vec<String>>) {
        let mut variants = Vec::new();
        let mut names = Vec::new();
        for v in self.program.variants(enum_def) {
            let fields: Vec<(String, Ty)> = self.fields_of(v);
            let regs = fields.iter().map(|(_, t)| self.reg_type(t)).collect();
            variants.push((self.program.def(v).name.text.clone(), regs));
            names.push(debug_field_names(&fields));
        }
        (variants, names)
    }

    /// A struct's or variant's fields: names and types.
    fn fields_of(&self, def: DefId) -> Vec<(String, Ty)> {
        self.typed
            .adts
            .fields
            .get(&def)
            .map(|fs| fs.iter().map(|f| (f.name.clone(), f.ty.clone())).collect())
            .unwrap_or_default()
    }

    fn add_type(&mut self, key: TypeKey, def: TypeDef) -> u32 {
        if let Some(i) = self.types.get(&key) {
            return *i;
        }
        let i = self.module.types.len() as u32;
        self.module.types.push(def);
        self.types.insert(key, i);
        i
    }

    /// The type-table entry of a user struct or enum.
    fn adt_type(&mut self, def: DefId) -> u32 {
        if let Some(i) = self.types.get(&TypeKey::Adt(def)) {
            return *i;
        }
        let name = self.program.def(def).name.text.clone();
        // A placeholder first: fields may mention the type itself.
        let i = self.add_type(
            TypeKey::Adt(def),
            TypeDef::Record {
                name: name.clone(),
                fields: Vec::new(),
                field_names: Vec::new(),
            },
        );
        let t = match &self.program.def(def).kind {
            DefKind::Enum(_) => {
                let (variants, field_names) = self.variants_of(def);
                TypeDef::Enum {
                    name,
                    variants,
                    field_names,
                }
            }
            _ => {
                let fields = self.fields_of(def);
                TypeDef::Record {
                    name,
                    fields: fields.iter().map(|(_, t)| self.reg_type(t)).collect(),
                    field_names: debug_field_names(&fields),
                }
            }
        };
        self.module.types[i as usize] = t;
        i
    }

    /// The register type of a Ward type.
    fn reg_type(&mut self, ty: &Ty) -> RegType {
        match ty {
            Ty::Int => RegType::Int,
            Ty::Float => RegType::Float,
            Ty::Bool => RegType::Bool,
            Ty::Char => RegType::Char,
            Ty::Str => RegType::Str,
            Ty::Never => RegType::Unit,
            Ty::Tuple(items) if items.is_empty() => RegType::Unit,
            // Tuples and function types are erased to their arity: generic
            // code passes `(A, B)` where the caller has `(int, String)`.
            Ty::Tuple(items) => {
                let fields = vec![RegType::Any; items.len()];
                RegType::Owned(self.add_type(
                    TypeKey::Tuple(fields.clone()),
                    TypeDef::Record {
                        name: String::new(),
                        fields,
                        field_names: Vec::new(),
                    },
                ))
            }
            Ty::Array(..) => RegType::Owned(self.list_type()),
            Ty::Ref(..) => RegType::Ref,
            Ty::Fn(params, _) => {
                let params = vec![RegType::Any; params.len()];
                RegType::Owned(self.add_type(
                    TypeKey::Closure(params.clone(), RegType::Any),
                    TypeDef::Closure {
                        params,
                        ret: RegType::Any,
                    },
                ))
            }
            Ty::Adt(d, _) => {
                if let Some(i) = self.types.get(&TypeKey::Adt(*d)) {
                    return RegType::Owned(*i);
                }
                if self.program.is_std_def(*d) {
                    match self.program.def(*d).name.text.as_str() {
                        "List" => return RegType::Owned(self.list_type()),
                        "Map" => {
                            return RegType::Owned(
                                self.add_type(
                                    TypeKey::Map,
                                    TypeDef::Map(RegType::Any, RegType::Any),
                                ),
                            );
                        }
                        // Opaque runtime values (iterators, instants, …).
                        _ if self.program.def(*d).has_attr("opaque")
                            && !self.typed.adts.fields.contains_key(d) =>
                        {
                            return RegType::Any;
                        }
                        // Std structs and enums (`GcStats`, `GcMode`) are
                        // records and enums like the program's own, so that
                        // natives build them with their names.
                        _ => {}
                    }
                }
                RegType::Owned(self.adt_type(*d))
            }
            Ty::Param(..) | Ty::Var(_) | Ty::Error => RegType::Any,
        }
    }

    fn list_type(&mut self) -> u32 {
        self.add_type(TypeKey::List, TypeDef::List(RegType::Any))
    }

    fn constant(&mut self, key: ConstKey) -> u32 {
        if let Some(i) = self.consts.get(&key) {
            return *i;
        }
        let c = match &key {
            ConstKey::Int(i) => Constant::Int(*i),
            ConstKey::Float(b) => Constant::Float(f64::from_bits(*b)),
            ConstKey::Char(c) => Constant::Char(*c),
            ConstKey::Str(s) => Constant::Str(s.clone()),
        };
        let i = self.module.constants.len() as u32;
        self.module.constants.push(c);
        self.consts.insert(key, i);
        i
    }

    fn native(&mut self, name: String) -> u16 {
        if let Some(i) = self.natives.get(&name) {
            return *i;
        }
        let i = self.module.natives.len() as u16;
        self.module.natives.push(name.clone());
        self.natives.insert(name, i);
        i
    }

    fn file(&mut self, f: FileId) -> u32 {
        if let Some(i) = self.files.get(&f) {
            return *i;
        }
        let i = self.module.files.len() as u32;
        self.module
            .files
            .push(self.program.file(f).path.display().to_string());
        self.files.insert(f, i);
        i
    }

    /// `Type::method` for methods, the path otherwise.
    fn def_name(&self, def: DefId) -> String {
        function_name(self.program, self.typed, def)
    }

    /// The function a std entry taken as a value calls: its parameters go
    /// to the native as they came, its result back. It has no source
    /// lines, so a panic in the native is placed at the caller's call.
    fn native_value(&mut self, def: DefId) -> Option<u32> {
        if let Some(f) = self.native_value_index.get(&def) {
            return Some(*f);
        }
        let name = self.def_name(def);
        let entry = ward_runtime::stdlib::table::entry(&name)?;
        if matches!(entry.native, ward_runtime::stdlib::table::Native::Intrinsic) {
            return None;
        }
        let sig = self.typed.sigs.get(&def)?.clone();
        let params: Vec<RegType> = sig.params.iter().map(|t| self.reg_type(t)).collect();
        let ret = self.reg_type(&sig.ret);
        let count = u16::try_from(params.len()).ok()?;
        let native = self.native(name.clone());
        let mut asm = Assembler::default();
        asm.emit(Op::CallNative {
            dst: 0,
            native,
            args: RegRange { first: 1, count },
        });
        asm.emit(Op::Return { src: 0 });
        let mut regs = vec![ret];
        regs.extend(params);
        let index = self.first_native_value + self.native_values.len() as u32;
        self.native_values.push(Function {
            name,
            arity: count,
            ret,
            regs,
            code: asm.code,
            lines: Vec::new(),
            handlers: Vec::new(),
            file: 0,
            caps: ward_runtime::caps::CapSet::of(entry.cap),
        });
        self.native_value_index.insert(def, index);
        Some(index)
    }

    fn function_name(&self, m: &FnMir) -> String {
        self.def_name(m.def)
    }
}

struct FnGen<'m, 'a> {
    mb: &'m mut ModuleBuilder<'a>,
    fnmir: &'a FnMir,
    body: &'a Body,
    name: String,
    /// `RefCell` borrow calls: the block each ends, and its site number.
    cell_sites: HashMap<usize, u16>,
    /// Where those borrows end (from the borrow checker's regions).
    releases: Releases,
    /// The block being emitted.
    cur_block: usize,
    regs: Vec<RegType>,
    reg_of: Vec<u16>,
    asm: Assembler,
    block_pc: Vec<Option<usize>>,
    /// Jumps to patch: (instruction offset, target block).
    fixups: Vec<(usize, BlockId)>,
    /// Switch instructions: (offset, next offset, constant, targets).
    switches: Vec<(usize, usize, u32, Vec<BlockId>)>,
    lines: Vec<LineEntry>,
    handlers: Vec<(usize, usize, BlockId)>,
    /// Scratch registers free for reuse (by type), and those taken by the
    /// current statement.
    free: HashMap<Vec<RegType>, Vec<u16>>,
    taken: Vec<(Vec<RegType>, u16)>,
    /// Registers loaded once, on entry, with scalar constants the body
    /// reads (never written afterwards).
    const_regs: HashMap<ConstKey, u16>,
    /// Temporaries holding a constant, whose shared borrows are `'static`.
    promoted: Vec<Local>,
    /// The body's `for` loops that step without allocating.
    loops: loops::Fused,
    /// For each range loop's iterator local (its current `int`), the
    /// register holding its end.
    range_end: HashMap<Local, u16>,
}

type R<T> = Result<T, CodegenError>;

impl<'m, 'a> FnGen<'m, 'a> {
    fn run(
        mb: &'m mut ModuleBuilder<'a>,
        fnmir: &'a FnMir,
        closure: Option<u32>,
        name: String,
        loops: loops::Fused,
    ) -> R<Function> {
        let body = fnmir.body_of(closure);
        let mut g = FnGen {
            mb,
            fnmir,
            body,
            name,
            cell_sites: HashMap::new(),
            releases: Releases::default(),
            cur_block: 0,
            regs: Vec::new(),
            reg_of: vec![0; body.locals.len()],
            asm: Assembler::default(),
            block_pc: vec![None; body.blocks.len()],
            fixups: Vec::new(),
            switches: Vec::new(),
            lines: Vec::new(),
            handlers: Vec::new(),
            free: HashMap::new(),
            taken: Vec::new(),
            const_regs: HashMap::new(),
            promoted: body.promoted_temps(),
            loops,
            range_end: HashMap::new(),
        };
        g.layout_registers()?;
        g.load_constants()?;
        g.find_cell_borrows();
        g.emit_blocks()?;
        g.finish()
    }

    /// Finds the calls of `RefCell::borrow`, `borrow_mut` and
    /// `try_borrow_mut` and where the borrows they take end.
    fn find_cell_borrows(&mut self) {
        let mut sites = Vec::new();
        for (b, block) in self.body.blocks.iter().enumerate() {
            if let TerminatorKind::Call {
                callee: Callee::Def(d),
                dest,
                ..
            } = &block.terminator.kind
                && dest.proj.is_empty()
                && self.mb.program.is_std_def(*d)
                && matches!(
                    self.mb.def_name(*d).as_str(),
                    "RefCell::borrow" | "RefCell::borrow_mut" | "RefCell::try_borrow_mut"
                )
                && let Ok(k) = u16::try_from(sites.len())
            {
                self.cell_sites.insert(b, k);
                sites.push(CellSite {
                    block: BlockId(b as u32),
                    dest: dest.local,
                });
            }
        }
        // Copy locals holding `Gc` pointers are cleared where they stop
        // being needed (see `borrowck/extents.rs`); the return slot is
        // read by `return`, which the MIR does not show as a use.
        let gc_locals: Vec<Local> = (1..self.body.locals.len())
            .map(|i| Local(i as u32))
            .filter(|l| self.clears_at_death(*l))
            .collect();
        // On the control flow the borrow checker saw (a fused loop's
        // exit is no edge of the rewritten body); what ends inside a
        // fused loop's test block ends where that block led instead.
        let analysed = self.loops.original.as_ref().unwrap_or(self.body);
        let mut releases = extents(
            self.mb.program,
            self.mb.typed,
            analysed,
            self.fnmir.file,
            self.fnmir.def,
            &sites,
            &gc_locals,
        );
        for &(test, with_item, without) in &self.loops.tests {
            let mut ends = std::mem::take(&mut releases.at_entry[test]);
            let len = analysed.blocks[test].statements.len();
            for i in 0..len {
                ends.extend(releases.after.remove(&(test, i)).unwrap_or_default());
            }
            for b in [with_item, without] {
                for &e in &ends {
                    if !releases.at_entry[b.index()].contains(&e) {
                        releases.at_entry[b.index()].push(e);
                    }
                }
            }
        }
        self.releases = releases;
    }

    /// Ends borrows and clears locals (see `find_cell_borrows`).
    fn emit_releases(&mut self, ends: Option<&Vec<End>>) {
        for &end in ends.into_iter().flatten() {
            match end {
                End::Release(site) => {
                    self.emit(Op::CellRelease { site });
                }
                End::Clear(l) => {
                    let dst = self.reg(l);
                    self.emit(Op::LoadUnit { dst });
                }
            }
        }
    }

    fn fail<T>(&self, message: impl Into<String>) -> R<T> {
        Err(CodegenError {
            function: self.name.clone(),
            message: message.into(),
        })
    }

    fn new_reg(&mut self, t: RegType) -> R<u16> {
        if self.regs.len() >= usize::from(u16::MAX) {
            return self.fail("too many registers");
        }
        self.regs.push(t);
        Ok((self.regs.len() - 1) as u16)
    }

    /// Result, parameters, captures (in capture order), then the rest.
    fn layout_registers(&mut self) -> R<()> {
        let n = self.body.locals.len();
        let arity = self.body.arg_count as usize;
        let captures = self.body.captures.len();
        let mut order: Vec<usize> = (0..=arity.min(n.saturating_sub(1))).collect();
        let mut upvars = vec![None; captures];
        for (i, l) in self.body.locals.iter().enumerate() {
            if let LocalKind::Upvar { capture, .. } = l.kind
                && let Some(slot) = upvars.get_mut(capture as usize)
            {
                *slot = Some(i);
            }
        }
        for u in &upvars {
            match u {
                Some(i) => order.push(*i),
                None => return self.fail("a capture without its local"),
            }
        }
        for i in 0..n {
            if !order.contains(&i) {
                order.push(i);
            }
        }
        for local in order {
            let decl = &self.body.locals[local];
            // A `for` loop's iterator is typed as what it iterates (so the
            // borrow checker keeps that borrowed) but holds an iterator.
            let t = if decl.kind == LocalKind::Temp(TempKind::Iter) {
                RegType::Any
            } else {
                self.mb.reg_type(&decl.ty)
            };
            self.reg_of[local] = self.new_reg(t)?;
        }
        let mut ranges: Vec<Local> = self.loops.range_starts.values().map(|r| r.iter).collect();
        ranges.sort_unstable();
        for iter in ranges {
            let end = self.new_reg(RegType::Int)?;
            self.range_end.insert(iter, end);
        }
        Ok(())
    }

    /// The prologue: a register per scalar constant that a statement reads
    /// as an operand (comparison, arithmetic, switch), loaded once.
    fn load_constants(&mut self) -> R<()> {
        let mut consts = Vec::new();
        for block in &self.body.blocks {
            for st in &block.statements {
                if let StatementKind::Assign(_, rv) = &st.kind {
                    match rv {
                        // An int constant an instruction takes as an
                        // immediate needs no register.
                        Rvalue::Binary(op, a, b) if immediate(*op, a, b).is_some() => {}
                        Rvalue::Binary(_, a, b) => consts.extend([a, b]),
                        Rvalue::Unary(_, a) | Rvalue::Cast(a, _) => consts.push(a),
                        _ => {}
                    }
                }
            }
            if let TerminatorKind::SwitchInt { discr, .. } = &block.terminator.kind {
                consts.push(discr);
            }
        }
        for op in consts {
            let Operand::Const(c) = op else { continue };
            let (key, t) = match c {
                Const::Int(i) => (ConstKey::Int(*i), RegType::Int),
                Const::Float(f) => (ConstKey::Float(f.to_bits()), RegType::Float),
                Const::Char(ch) => (ConstKey::Char(*ch), RegType::Char),
                _ => continue,
            };
            if self.const_regs.contains_key(&key) {
                continue;
            }
            let r = self.new_reg(t)?;
            self.load_const(c, r)?;
            self.const_regs.insert(key, r);
        }
        Ok(())
    }

    fn const_reg(&self, c: &Const) -> Option<u16> {
        let key = match c {
            Const::Int(i) => ConstKey::Int(*i),
            Const::Float(f) => ConstKey::Float(f.to_bits()),
            Const::Char(ch) => ConstKey::Char(*ch),
            _ => return None,
        };
        self.const_regs.get(&key).copied()
    }

    fn reg(&self, l: Local) -> u16 {
        self.reg_of[l.index()]
    }

    fn emit(&mut self, op: Op) -> usize {
        self.asm.emit(op)
    }

    /// A scratch register for the current statement.
    fn scratch(&mut self, t: RegType) -> R<u16> {
        self.scratch_range(vec![t])
    }

    /// Consecutive scratch registers of these types.
    fn scratch_range(&mut self, ts: Vec<RegType>) -> R<u16> {
        if let Some(r) = self.free.get_mut(&ts).and_then(Vec::pop) {
            self.taken.push((ts, r));
            return Ok(r);
        }
        let first = self.regs.len() as u16;
        for t in &ts {
            self.new_reg(*t)?;
        }
        self.taken.push((ts, first));
        Ok(first)
    }

    fn end_statement(&mut self) {
        for (ts, r) in self.taken.drain(..) {
            self.free.entry(ts).or_default().push(r);
        }
    }

    /// Whether `ty` is `Gc<T>` (or a reference to one).
    /// Whether `ty` is a handle whose deref is `gc_deref`: `Gc<T>`, or
    /// `Pooled<T>` (the value in its pool slot).
    fn is_handle(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Ref(_, inner) => self.is_handle(inner),
            Ty::Adt(d, _) => {
                self.mb.program.is_std_def(*d)
                    && matches!(self.mb.program.def(*d).name.text.as_str(), "Gc" | "Pooled")
            }
            _ => false,
        }
    }

    fn place_ty(&self, p: &Place) -> Ty {
        crate::mir::place_ty(self.mb.program, self.mb.typed, self.body, p)
    }

    fn operand_ty(&self, op: &Operand) -> Ty {
        match op {
            Operand::Copy(p, _) | Operand::Move(p, _) => self.place_ty(p),
            Operand::Const(c) => match c {
                Const::Fn(d) => self.mb.typed.sigs.get(d).map_or(Ty::Error, |s| {
                    Ty::Fn(s.params.clone(), Box::new(s.ret.clone()))
                }),
                Const::Item(d) => self
                    .mb
                    .typed
                    .const_types
                    .get(d)
                    .cloned()
                    .unwrap_or(Ty::Error),
                lit => crate::mir::literal_ty(lit).unwrap_or(Ty::Error),
            },
        }
    }

    fn operand_reg_type(&mut self, op: &Operand) -> RegType {
        let t = self.operand_ty(op);
        self.mb.reg_type(&t)
    }

    // ------------------------------------------------------------------
    // Places and operands

    /// A register holding a reference to `place`.
    fn place_ptr(&mut self, place: &Place) -> R<u16> {
        let mut projs = place.proj.as_slice();
        let mut ptr = if let [Proj::Deref(_), rest @ ..] = projs {
            projs = rest;
            self.reg(place.local)
        } else {
            let p = self.scratch(RegType::Ref)?;
            let src = self.reg(place.local);
            self.emit(Op::AddrReg { dst: p, src });
            p
        };
        for proj in projs {
            let next = self.scratch(RegType::Ref)?;
            match proj {
                Proj::Deref(_) => {
                    self.emit(Op::Load { dst: next, ptr });
                }
                Proj::Field(i) => {
                    self.emit(Op::AddrField {
                        dst: next,
                        ptr,
                        field: *i as u16,
                    });
                }
                Proj::Index(l) => {
                    let index = self.reg(*l);
                    self.emit(Op::AddrIndex {
                        dst: next,
                        ptr,
                        index,
                    });
                }
                Proj::ConstIndex { offset, from_end } => {
                    self.emit(Op::AddrConstIndex {
                        dst: next,
                        ptr,
                        offset: *offset as u16,
                        from_end: u8::from(*from_end),
                    });
                }
                Proj::Downcast(_) => continue,
            }
            ptr = next;
        }
        Ok(ptr)
    }

    fn load_const(&mut self, c: &Const, dst: u16) -> R<()> {
        match c {
            Const::Int(i) => {
                let k = self.mb.constant(ConstKey::Int(*i));
                self.emit(Op::LoadInt { dst, k });
            }
            Const::Float(f) => {
                let k = self.mb.constant(ConstKey::Float(f.to_bits()));
                self.emit(Op::LoadFloat { dst, k });
            }
            Const::Bool(b) => {
                self.emit(Op::LoadBool {
                    dst,
                    v: u8::from(*b),
                });
            }
            Const::Char(c) => {
                let k = self.mb.constant(ConstKey::Char(*c));
                self.emit(Op::LoadChar { dst, k });
            }
            Const::Str(s) => {
                let k = self.mb.constant(ConstKey::Str(s.clone()));
                self.emit(Op::LoadStr { dst, k });
            }
            Const::Unit => {
                self.emit(Op::LoadUnit { dst });
            }
            Const::Fn(d) => match self.mb.fn_index.get(&(*d, None)).copied().or_else(|| {
                if self.mb.program.is_std_def(*d) {
                    self.mb.native_value(*d)
                } else {
                    None
                }
            }) {
                Some(f) => {
                    self.emit(Op::LoadFunc { dst, f });
                }
                None => {
                    let name = self.mb.def_name(*d);
                    return self.fail(format!(
                        "`{name}` cannot be used as a value yet (wrap it in a closure)"
                    ));
                }
            },
            Const::Item(d) => {
                let v = self.mb.typed.const_values.get(d).cloned();
                let c = match v {
                    Some(ConstValue::Int(i)) => Const::Int(i),
                    Some(ConstValue::Float(f)) => Const::Float(f),
                    Some(ConstValue::Bool(b)) => Const::Bool(b),
                    Some(ConstValue::Char(c)) => Const::Char(c),
                    Some(ConstValue::Str(s)) => Const::Str(s),
                    None => return self.fail("a constant without a value"),
                };
                self.load_const(&c, dst)?;
            }
        }
        Ok(())
    }

    /// A register holding the operand's value, for reading only.
    fn read(&mut self, op: &Operand) -> R<u16> {
        if let Operand::Const(c) = op
            && let Some(r) = self.const_reg(c)
        {
            return Ok(r);
        }
        match op {
            Operand::Copy(p, _) | Operand::Move(p, _) if p.proj.is_empty() => Ok(self.reg(p.local)),
            _ => {
                let t = self.operand_reg_type(op);
                let r = self.scratch(t)?;
                self.write_operand(op, r)?;
                Ok(r)
            }
        }
    }

    /// `dst = operand` (copied or moved).
    fn write_operand(&mut self, op: &Operand, dst: u16) -> R<()> {
        // A unit register only ever holds `()`: writing one is a no-op.
        if self.regs[usize::from(dst)] == RegType::Unit && self.operand_ty(op).is_unit() {
            return Ok(());
        }
        match op {
            Operand::Const(c) => self.load_const(c, dst),
            Operand::Copy(p, _) if p.proj.is_empty() => {
                let src = self.reg(p.local);
                if src != dst {
                    self.emit(Op::Copy { dst, src });
                }
                Ok(())
            }
            Operand::Move(p, _) if p.proj.is_empty() => {
                let src = self.reg(p.local);
                if src != dst {
                    self.emit(Op::Move { dst, src });
                }
                Ok(())
            }
            Operand::Copy(p, _) => {
                let ptr = self.place_ptr(p)?;
                self.emit(Op::Load { dst, ptr });
                Ok(())
            }
            Operand::Move(p, _) => {
                let ptr = self.place_ptr(p)?;
                self.emit(Op::Take { dst, ptr });
                Ok(())
            }
        }
    }

    /// A reference to the operand's value (for comparisons of compound
    /// values, which read in place).
    fn operand_ptr(&mut self, op: &Operand) -> R<u16> {
        match op {
            Operand::Copy(p, _) | Operand::Move(p, _) => self.place_ptr(p),
            Operand::Const(_) => {
                let v = self.read(op)?;
                let p = self.scratch(RegType::Ref)?;
                self.emit(Op::AddrReg { dst: p, src: v });
                Ok(p)
            }
        }
    }

    /// Operands moved into consecutive scratch registers.
    fn stage(&mut self, ops: &[Operand]) -> R<RegRange> {
        if ops.is_empty() {
            return Ok(RegRange { first: 0, count: 0 });
        }
        let ts: Vec<RegType> = ops.iter().map(|o| self.operand_reg_type(o)).collect();
        let first = self.scratch_range(ts)?;
        for (i, op) in ops.iter().enumerate() {
            self.write_operand(op, first + i as u16)?;
        }
        Ok(RegRange {
            first,
            count: ops.len() as u16,
        })
    }

    // ------------------------------------------------------------------
    // Statements

    fn line(&mut self, span: crate::diagnostics::Span) {
        if span.start == 0 && span.end == 0 {
            return;
        }
        let file = self.mb.program.file(self.fnmir.file);
        let (line, col) = file.line_col_chars(span.start);
        let pc = self.asm.code.len() as u32;
        let (line, col) = (line as u32, col as u32);
        if let Some(last) = self.lines.last_mut() {
            if last.line == line && last.col == col {
                return;
            }
            if last.pc == pc {
                last.line = line;
                last.col = col;
                return;
            }
        }
        self.lines.push(LineEntry { pc, line, col });
    }

    fn statement(&mut self, kind: &StatementKind) -> R<()> {
        match kind {
            StatementKind::Assign(place, rv) => self.assign(place, rv),
            StatementKind::Drop(place) => {
                let t = self.place_ty(place);
                if is_trivially_dropped(&t) {
                    return Ok(());
                }
                if place.proj.is_empty() {
                    let reg = self.reg(place.local);
                    self.emit(Op::Drop { reg });
                } else {
                    let ptr = self.place_ptr(place)?;
                    self.emit(Op::DropAt { ptr });
                }
                Ok(())
            }
            // Reading a place that goes through an index checks the index
            // (`let _ = xs[i];` panics when `i` is out of bounds).
            StatementKind::FakeRead(p) if p.has_index() => {
                self.place_ptr(p)?;
                Ok(())
            }
            StatementKind::ZoneExit => {
                self.emit(Op::ZoneExit {});
                Ok(())
            }
            StatementKind::StorageLive(_)
            | StatementKind::StorageDead(_)
            | StatementKind::FakeRead(_)
            | StatementKind::ZoneEnter(_)
            | StatementKind::Nop => Ok(()),
        }
    }

    /// `zone_enter` with the size written, or for `zone { … }` the bound
    /// the real-time pass computed for the zone at `span`.
    fn zone_enter(&mut self, size: Option<&Operand>, span: crate::diagnostics::Span) -> R<()> {
        let size = match size {
            Some(op) => self.read(op)?,
            None => {
                let bound = self
                    .mb
                    .realtime
                    .zone_at(self.fnmir.file, span.start)
                    .map(|z| z.bound.clone());
                let Some(crate::realtime::Bound::Bytes(n)) = bound else {
                    return self.fail("a `zone` without a size has no computed bound");
                };
                let n = i64::try_from(n).unwrap_or(i64::MAX);
                let r = self.scratch(RegType::Int)?;
                self.load_const(&Const::Int(n), r)?;
                r
            }
        };
        self.emit(Op::ZoneEnter { size });
        Ok(())
    }

    fn may_panic(&self, s: &crate::mir::Statement) -> bool {
        self.body.may_panic(&s.kind)
    }

    /// Statements that emit no code.
    fn is_silent(s: &crate::mir::Statement) -> bool {
        match s.kind {
            StatementKind::FakeRead(ref p) => !p.has_index(),
            StatementKind::StorageLive(_) | StatementKind::StorageDead(_) | StatementKind::Nop => {
                true
            }
            _ => false,
        }
    }

    /// Whether local `l` is a Copy value that may hold GC pointers, which
    /// codegen clears where it stops being needed (owned values are
    /// dropped or moved out before their storage dies).
    fn clears_at_death(&self, l: Local) -> bool {
        let ty = &self.body.locals[l.index()].ty;
        !matches!(ty, Ty::Ref(..)) && self.holds_gc(ty, 0)
    }

    /// Whether a value of `ty` may contain a `Gc` or `Weak` pointer.
    fn holds_gc(&self, ty: &Ty, depth: u32) -> bool {
        if depth > 6 {
            return false;
        }
        match ty {
            Ty::Adt(d, args) => {
                let program = self.mb.program;
                if program.is_std_def(*d) {
                    let name = program.def(*d).name.text.as_str();
                    return matches!(name, "Gc" | "Weak")
                        || args.iter().any(|a| self.holds_gc(a, depth + 1));
                }
                self.mb.typed.adts.fields.get(d).is_some_and(|fs| {
                    fs.iter()
                        .any(|f| self.holds_gc(&f.ty.subst(args), depth + 1))
                })
            }
            Ty::Tuple(items) => items.iter().any(|t| self.holds_gc(t, depth + 1)),
            Ty::Array(t, _) => self.holds_gc(t, depth + 1),
            _ => false,
        }
    }

    fn assign(&mut self, place: &Place, rv: &Rvalue) -> R<()> {
        // The borrow behind `*gc`: a reference to the object's value.
        if place.proj.is_empty()
            && matches!(
                self.body.locals[place.local.index()].kind,
                LocalKind::Temp(TempKind::Deref)
            )
            && let Rvalue::Ref(_, base) = rv
            && self.is_handle(&self.place_ty(base))
        {
            let dst = self.reg(place.local);
            let src = if base.proj.is_empty() {
                self.reg(base.local)
            } else {
                self.place_ptr(base)?
            };
            self.emit(Op::GcDeref { dst, src });
            return Ok(());
        }
        if place.proj.is_empty() {
            let dst = self.reg(place.local);
            return self.rvalue_into(rv, dst);
        }
        let t = self.place_ty(place);
        let rt = self.mb.reg_type(&t);
        let tmp = self.scratch(rt)?;
        self.rvalue_into(rv, tmp)?;
        let ptr = self.place_ptr(place)?;
        self.emit(Op::Store { ptr, src: tmp });
        Ok(())
    }

    fn rvalue_into(&mut self, rv: &Rvalue, dst: u16) -> R<()> {
        match rv {
            Rvalue::Use(op) => self.write_operand(op, dst),
            Rvalue::Ref(kind, place) => {
                if !kind.is_mut()
                    && let Some(l) = place.as_local()
                    && self.promoted.contains(&l)
                {
                    // A `'static` borrow (the borrow checker's promotion):
                    // of a copy that outlives this frame.
                    let slot = self.mb.statics;
                    let Some(next) = slot.checked_add(1) else {
                        return self.fail("more than 65 535 promoted constants");
                    };
                    self.mb.statics = next;
                    let src = self.reg(l);
                    self.emit(Op::Promote { dst, src, slot });
                } else if place.proj.is_empty() {
                    let src = self.reg(place.local);
                    self.emit(Op::AddrReg { dst, src });
                } else if let [Proj::Deref(_)] = place.proj.as_slice() {
                    // A reborrow: the same reference.
                    let src = self.reg(place.local);
                    self.emit(Op::Copy { dst, src });
                } else {
                    let ptr = self.place_ptr(place)?;
                    self.emit(Op::Copy { dst, src: ptr });
                }
                Ok(())
            }
            Rvalue::Binary(op, a, b) => self.binary(*op, a, b, dst),
            Rvalue::Unary(op, a) => {
                let t = self.operand_ty(a);
                let a = self.read(a)?;
                let op = match (op, &t) {
                    (UnOp::Neg, Ty::Int) => Op::NegInt { dst, a },
                    (UnOp::Neg, Ty::Float) => Op::NegFloat { dst, a },
                    (UnOp::Not, Ty::Bool) => Op::NotBool { dst, a },
                    (UnOp::Not, Ty::Int) => Op::NotInt { dst, a },
                    _ => return self.fail("a unary operator on an unsupported type"),
                };
                self.emit(op);
                Ok(())
            }
            Rvalue::Cast(op, to) => {
                let from = self.operand_ty(op);
                let a = self.read(op)?;
                let op = match (&from, to) {
                    (Ty::Int, Ty::Float) => Op::IntToFloat { dst, a },
                    (Ty::Float, Ty::Int) => Op::FloatToInt { dst, a },
                    (Ty::Int, Ty::Char) => Op::IntToChar { dst, a },
                    (Ty::Char, Ty::Int) => Op::CharToInt { dst, a },
                    (Ty::Bool, Ty::Int) => Op::BoolToInt { dst, a },
                    (x, y) if x == y => Op::Copy { dst, src: a },
                    _ => return self.fail("an unsupported cast"),
                };
                self.emit(op);
                Ok(())
            }
            Rvalue::Aggregate(kind, ops) => self.aggregate(kind, ops, dst),
            Rvalue::Repeat(op, n) => {
                let src = self.read(op)?;
                let count = self
                    .mb
                    .constant(ConstKey::Int(i64::try_from(*n).unwrap_or(i64::MAX)));
                self.emit(Op::MakeRepeat { dst, src, count });
                Ok(())
            }
            Rvalue::Discriminant(place) => {
                if place.proj.is_empty() {
                    let src = self.reg(place.local);
                    self.emit(Op::Tag { dst, src });
                } else {
                    let ptr = self.place_ptr(place)?;
                    self.emit(Op::TagAt { dst, ptr });
                }
                Ok(())
            }
            Rvalue::Len(place) => {
                let ptr = self.place_ptr(place)?;
                self.emit(Op::Len { dst, ptr });
                Ok(())
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, a: &Operand, b: &Operand, dst: u16) -> R<()> {
        let t = self.operand_ty(a);
        let cmp = match op {
            BinaryOp::Eq => Some(0),
            BinaryOp::Ne => Some(1),
            BinaryOp::Lt => Some(2),
            BinaryOp::Le => Some(3),
            BinaryOp::Gt => Some(4),
            BinaryOp::Ge => Some(5),
            _ => None,
        };
        // An `int` constant that fits the instruction: an immediate operand
        // instead of a register loaded in the prologue.
        if t == Ty::Int
            && let Some((form, x, imm)) = immediate(op, a, b)
        {
            let a = self.read(x)?;
            self.emit(match form {
                Immediate::Add => Op::AddIntImm { dst, a, imm },
                Immediate::Sub => Op::SubIntImm { dst, a, imm },
                Immediate::Mul => Op::MulIntImm { dst, a, imm },
                Immediate::Div => Op::DivIntImm { dst, a, imm },
                Immediate::Rem => Op::RemIntImm { dst, a, imm },
                Immediate::Cmp(cmp) => Op::CmpIntImm { dst, a, imm, cmp },
            });
            return Ok(());
        }
        if let Some(cmp) = cmp {
            let op = match &t {
                Ty::Int | Ty::Float | Ty::Bool | Ty::Char => {
                    let (a, b) = (self.read(a)?, self.read(b)?);
                    match t {
                        Ty::Int => Op::CmpInt { dst, a, b, cmp },
                        Ty::Float => Op::CmpFloat { dst, a, b, cmp },
                        _ => Op::CmpScalar { dst, a, b, cmp },
                    }
                }
                Ty::Str if cmp > 1 => {
                    let (a, b) = (self.operand_ptr(a)?, self.operand_ptr(b)?);
                    Op::CmpStrAt { dst, a, b, cmp }
                }
                _ if cmp <= 1 => {
                    let (a, b) = (self.operand_ptr(a)?, self.operand_ptr(b)?);
                    Op::EqAt { dst, a, b, ne: cmp }
                }
                _ => return self.fail("an ordering comparison of an unsupported type"),
            };
            self.emit(op);
            return Ok(());
        }
        let (ra, rb) = (self.read(a)?, self.read(b)?);
        let (a, b) = (ra, rb);
        let op = match (&t, op) {
            (Ty::Int, BinaryOp::Add) => Op::AddInt { dst, a, b },
            (Ty::Int, BinaryOp::Sub) => Op::SubInt { dst, a, b },
            (Ty::Int, BinaryOp::Mul) => Op::MulInt { dst, a, b },
            (Ty::Int, BinaryOp::Div) => Op::DivInt { dst, a, b },
            (Ty::Int, BinaryOp::Rem) => Op::RemInt { dst, a, b },
            (Ty::Int, BinaryOp::BitAnd) => Op::AndInt { dst, a, b },
            (Ty::Int, BinaryOp::BitOr) => Op::OrInt { dst, a, b },
            (Ty::Int, BinaryOp::BitXor) => Op::XorInt { dst, a, b },
            (Ty::Int, BinaryOp::Shl) => Op::ShlInt { dst, a, b },
            (Ty::Int, BinaryOp::Shr) => Op::ShrInt { dst, a, b },
            (Ty::Float, BinaryOp::Add) => Op::AddFloat { dst, a, b },
            (Ty::Float, BinaryOp::Sub) => Op::SubFloat { dst, a, b },
            (Ty::Float, BinaryOp::Mul) => Op::MulFloat { dst, a, b },
            (Ty::Float, BinaryOp::Div) => Op::DivFloat { dst, a, b },
            (Ty::Float, BinaryOp::Rem) => Op::RemFloat { dst, a, b },
            (Ty::Bool, BinaryOp::BitAnd | BinaryOp::And) => {
                // a & b: a ? b : false, as a comparison-free sequence.
                self.emit(Op::Copy { dst, src: a });
                let j = self.emit(Op::JumpIfNot { cond: a, off: 0 });
                self.emit(Op::Copy { dst, src: b });
                let end = self.asm.code.len();
                self.patch(j, end)?;
                return Ok(());
            }
            (Ty::Bool, BinaryOp::BitOr | BinaryOp::Or) => {
                self.emit(Op::Copy { dst, src: a });
                let j = self.emit(Op::JumpIf { cond: a, off: 0 });
                self.emit(Op::Copy { dst, src: b });
                let end = self.asm.code.len();
                self.patch(j, end)?;
                return Ok(());
            }
            (Ty::Bool, BinaryOp::BitXor) => Op::CmpScalar { dst, a, b, cmp: 1 },
            _ => return self.fail(format!("the operator {op:?} on an unsupported type")),
        };
        self.emit(op);
        Ok(())
    }

    fn patch(&mut self, at: usize, target: usize) -> R<()> {
        match self.asm.patch_jump(at, target) {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn aggregate(&mut self, kind: &AggregateKind, ops: &[Operand], dst: u16) -> R<()> {
        match kind {
            AggregateKind::Tuple if ops.is_empty() => {
                if self.regs[usize::from(dst)] != RegType::Unit {
                    self.emit(Op::LoadUnit { dst });
                }
            }
            AggregateKind::Tuple => {
                let fields = self.stage(ops)?;
                let ts: Vec<Ty> = ops.iter().map(|o| self.operand_ty(o)).collect();
                let RegType::Owned(ty) = self.mb.reg_type(&Ty::Tuple(ts)) else {
                    return self.fail("a tuple without a type");
                };
                self.emit(Op::MakeRecord { dst, ty, fields });
            }
            AggregateKind::Array => {
                let items = self.stage(ops)?;
                self.emit(Op::MakeList { dst, items });
            }
            AggregateKind::Adt(def) => {
                let fields = self.stage(ops)?;
                match self.mb.program.def(*def).kind {
                    DefKind::Variant { parent, index } => {
                        let ty = match self.mb.types.get(&TypeKey::Adt(parent)) {
                            Some(t) => *t,
                            None => self.mb.adt_type(parent),
                        };
                        self.emit(Op::MakeVariant {
                            dst,
                            ty,
                            variant: index as u16,
                            fields,
                        });
                    }
                    _ => {
                        let ty = self.mb.adt_type(*def);
                        self.emit(Op::MakeRecord { dst, ty, fields });
                    }
                }
            }
            AggregateKind::Range {
                inclusive,
                has_start,
                has_end,
            } => {
                let bounds = self.stage(ops)?;
                let kind =
                    u8::from(*inclusive) | u8::from(*has_start) << 1 | u8::from(*has_end) << 2;
                self.emit(Op::MakeRange { dst, bounds, kind });
            }
            AggregateKind::Closure(i) => {
                let captures = self.stage(ops)?;
                let Some(f) = self.mb.fn_index.get(&(self.fnmir.def, Some(*i))).copied() else {
                    return self.fail("a closure without its function");
                };
                self.emit(Op::MakeClosure { dst, f, captures });
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------
    // Blocks and terminators

    /// Where a jump to `b` really goes: through blocks that only jump on.
    fn thread(&self, mut b: BlockId) -> BlockId {
        for _ in 0..self.body.blocks.len() {
            let block = &self.body.blocks[b.index()];
            match block.terminator.kind {
                TerminatorKind::Goto(next)
                    if block.statements.iter().all(Self::is_silent)
                        && !self.releases.in_block(b.index(), block.statements.len())
                        && next != b =>
                {
                    b = next;
                }
                _ => break,
            }
        }
        b
    }

    /// Blocks in an order that lets most jumps fall through: each block is
    /// followed by its preferred successor when that is not yet placed;
    /// cleanup blocks go last. Blocks no path from the entry reaches (code
    /// after a `return` or a `panic`) are left out: their statements were
    /// typed as dead code and need not fit the registers' types.
    fn layout(&self) -> Vec<usize> {
        let n = self.body.blocks.len();
        let mut placed = vec![true; n];
        let mut stack = vec![0usize];
        if n > 0 {
            placed[0] = false;
        }
        while let Some(b) = stack.pop() {
            let block = &self.body.blocks[b];
            let exit = self.loops.steps.get(&b).map(|s| s.exit);
            for s in block
                .terminator
                .successors()
                .chain(block.unwind)
                .chain(exit)
            {
                if placed[s.index()] {
                    placed[s.index()] = false;
                    stack.push(s.index());
                }
            }
        }
        let mut order = Vec::with_capacity(n);
        for pass_cleanup in [false, true] {
            for start in 0..n {
                let mut cur = Some(start);
                while let Some(b) = cur {
                    if placed[b] || self.body.blocks[b].cleanup != pass_cleanup {
                        break;
                    }
                    placed[b] = true;
                    order.push(b);
                    let t = &self.body.blocks[b].terminator.kind;
                    let preferred = match t {
                        TerminatorKind::Goto(x)
                        | TerminatorKind::SwitchInt { otherwise: x, .. }
                        | TerminatorKind::Call {
                            target: Some(x), ..
                        } => Some(self.thread(*x)),
                        _ => None,
                    };
                    cur = preferred.map(BlockId::index);
                }
            }
        }
        order
    }

    fn emit_blocks(&mut self) -> R<()> {
        let order = self.layout();
        for (pos, &b) in order.iter().enumerate() {
            let block = &self.body.blocks[b];
            self.block_pc[b] = Some(self.asm.code.len());
            self.cur_block = b;
            let entry = self.releases.at_entry.get(b).cloned();
            self.emit_releases(entry.as_ref());
            let start = self.asm.code.len();
            self.statements(b, &block.statements)?;
            if let Some(u) = block.unwind
                && !block.cleanup
            {
                let end = self.asm.code.len();
                if end > start {
                    self.handlers.push((start, end, u));
                }
            }
            let next = order.get(pos + 1).map(|n| BlockId(*n as u32));
            self.line(block.terminator.span);
            self.terminator(&block.terminator.kind, next)?;
            self.end_statement();
        }
        Ok(())
    }

    fn statements(&mut self, b: usize, statements: &[crate::mir::Statement]) -> R<()> {
        for (i, s) in statements.iter().enumerate() {
            self.line(s.span);
            if let StatementKind::ZoneEnter(size) = &s.kind {
                self.zone_enter(size.as_ref(), s.span)?;
            } else {
                self.statement(&s.kind)?;
            }
            let after = self.releases.after.get(&(b, i)).cloned();
            self.emit_releases(after.as_ref());
            self.end_statement();
        }
        Ok(())
    }

    fn jump(&mut self, target: BlockId, next: Option<BlockId>) -> R<()> {
        let target = self.thread(target);
        let block = &self.body.blocks[target.index()];
        if next != Some(target)
            && block.terminator.kind == TerminatorKind::Return
            && block.statements.iter().all(Self::is_silent)
            && !self
                .releases
                .in_block(target.index(), block.statements.len())
        {
            // Returning costs no more than jumping to the return.
            let src = self.reg(Local::RETURN);
            self.emit(Op::Return { src });
            return Ok(());
        }
        if next != Some(target) {
            if self.block_pc[target.index()].is_some() && self.rotate_loop(target, next)? {
                return Ok(());
            }
            let at = self.emit(Op::Jump { off: 0 });
            self.fixups.push((at, target));
        }
        Ok(())
    }

    /// A backward jump to a loop's test (a short block ending in a branch
    /// on a `bool`) is replaced by a copy of the test, so that each turn
    /// runs one conditional branch instead of a jump and a branch.
    fn rotate_loop(&mut self, header: BlockId, next: Option<BlockId>) -> R<bool> {
        const MAX_STATEMENTS: usize = 6;
        let block = &self.body.blocks[header.index()];
        // A `for` loop's back edge: the step that jumps to the body when
        // there is an item, and otherwise on to the exit.
        if let Some(&step) = self.loops.steps.get(&header.index()) {
            if block.statements.iter().all(Self::is_silent)
                && !self
                    .releases
                    .in_block(header.index(), block.statements.len())
            {
                self.for_step(step, true)?;
                self.jump(step.exit, next)?;
                return Ok(true);
            }
            return Ok(false);
        }
        let TerminatorKind::SwitchInt {
            discr,
            targets,
            otherwise,
        } = &block.terminator.kind
        else {
            return Ok(false);
        };
        if block.cleanup
            || block.unwind.is_some()
            || self
                .releases
                .in_block(header.index(), block.statements.len())
            || block.statements.len() > MAX_STATEMENTS
            || block.statements.iter().any(|s| self.may_panic(s))
            || self.operand_ty(discr) != Ty::Bool
        {
            return Ok(false);
        }
        self.statements(header.index(), &block.statements)?;
        self.line(block.terminator.span);
        self.switch(discr, targets, *otherwise, next)?;
        self.end_statement();
        Ok(true)
    }

    fn terminator(&mut self, kind: &TerminatorKind, next: Option<BlockId>) -> R<()> {
        match kind {
            TerminatorKind::Goto(b) => self.jump(*b, next)?,
            TerminatorKind::SwitchInt {
                discr,
                targets,
                otherwise,
            } => self.switch(discr, targets, *otherwise, next)?,
            TerminatorKind::Return => {
                let src = self.reg(Local::RETURN);
                self.emit(Op::Return { src });
            }
            TerminatorKind::Resume => {
                self.emit(Op::Resume {});
            }
            TerminatorKind::Unreachable => {
                self.emit(Op::Unreachable {});
            }
            TerminatorKind::Call { .. } if self.loops.steps.contains_key(&self.cur_block) => {
                let step = self.loops.steps[&self.cur_block];
                self.for_step(step, false)?;
                self.jump(step.body, next)?;
            }
            TerminatorKind::Call {
                target: Some(target),
                ..
            } if self.loops.range_starts.contains_key(&self.cur_block) => {
                let start = self.loops.range_starts[&self.cur_block].clone();
                let cur = self.reg(start.iter);
                let Some(&end) = self.range_end.get(&start.iter) else {
                    return self.fail("a range loop without its end register");
                };
                self.write_operand(&start.start, cur)?;
                self.write_operand(&start.end, end)?;
                if start.inclusive {
                    self.emit(Op::RangeInclusiveEnd { end });
                }
                self.jump(*target, next)?;
            }
            TerminatorKind::Call {
                callee,
                args,
                dest,
                target,
                unwind,
            } => {
                let start = self.asm.code.len();
                self.call(callee, args, dest)?;
                if let Some(&site) = self.cell_sites.get(&self.cur_block) {
                    self.emit(Op::CellBorrowSite { site });
                }
                if let Some(u) = unwind {
                    self.handlers.push((start, self.asm.code.len(), *u));
                }
                match target {
                    Some(t) => self.jump(*t, next)?,
                    None => {
                        self.emit(Op::Unreachable {});
                    }
                }
            }
        }
        Ok(())
    }

    /// A fused `for` step (see `loops`): at the loop's entry it jumps to
    /// the exit when the iterator is exhausted; as the back edge
    /// (`back`) it jumps to the body when there is an item.
    fn for_step(&mut self, step: loops::Step, back: bool) -> R<()> {
        let dst = self.reg(step.item);
        let iter = self.reg(step.iter);
        let (op, target) = if step.range {
            let Some(&end) = self.range_end.get(&step.iter) else {
                return self.fail("a range loop without its end register");
            };
            let cur = iter;
            if back {
                (
                    Op::ForRangeLoop {
                        dst,
                        cur,
                        end,
                        body: 0,
                    },
                    step.body,
                )
            } else {
                (
                    Op::ForRange {
                        dst,
                        cur,
                        end,
                        exit: 0,
                    },
                    step.exit,
                )
            }
        } else if back {
            (Op::ForIterLoop { dst, iter, body: 0 }, step.body)
        } else {
            (Op::ForIter { dst, iter, exit: 0 }, step.exit)
        };
        let at = self.emit(op);
        self.fixups.push((at, self.thread(target)));
        Ok(())
    }

    fn switch(
        &mut self,
        discr: &Operand,
        targets: &[(i64, BlockId)],
        otherwise: BlockId,
        next: Option<BlockId>,
    ) -> R<()> {
        let t = self.operand_ty(discr);
        let src = self.read(discr)?;
        if t == Ty::Bool {
            let otherwise = self.thread(otherwise);
            // One target (the usual `if`): jump on it, fall through to
            // `otherwise`, or the reverse when the target comes next.
            if let [(v, b)] = targets {
                let b = self.thread(*b);
                if next == Some(b) && b != otherwise {
                    let at = if *v == 0 {
                        self.emit(Op::JumpIf { cond: src, off: 0 })
                    } else {
                        self.emit(Op::JumpIfNot { cond: src, off: 0 })
                    };
                    self.fixups.push((at, otherwise));
                    return Ok(());
                }
            }
            // `targets` holds 0 (false) and/or 1 (true).
            for (v, b) in targets {
                let b = self.thread(*b);
                let at = if *v == 0 {
                    self.emit(Op::JumpIfNot { cond: src, off: 0 })
                } else {
                    self.emit(Op::JumpIf { cond: src, off: 0 })
                };
                self.fixups.push((at, b));
            }
            self.jump(otherwise, next)?;
            return Ok(());
        }
        let dense = targets.iter().all(|(v, _)| (0..256).contains(v));
        if dense && t == Ty::Int {
            let len = targets.iter().map(|(v, _)| *v + 1).max().unwrap_or(0) as usize;
            let mut table = vec![otherwise; len];
            for (v, b) in targets {
                table[*v as usize] = *b;
            }
            let k = self.mb.module.constants.len() as u32;
            self.mb
                .module
                .constants
                .push(Constant::JumpTable(Vec::new()));
            let at = self.emit(Op::Switch {
                src,
                table: k,
                otherwise: 0,
            });
            let next_pc = self.asm.code.len();
            self.fixups.push((at, otherwise));
            self.switches.push((at, next_pc, k, table));
            return Ok(());
        }
        // Sparse values: compare one by one.
        let cond = self.scratch(RegType::Bool)?;
        let rt = self.mb.reg_type(&t);
        let value = self.scratch(rt)?;
        for (v, b) in targets {
            let c = match t {
                Ty::Char => Const::Char(char::from_u32(*v as u32).unwrap_or('\0')),
                _ => Const::Int(*v),
            };
            self.load_const(&c, value)?;
            let op = if t == Ty::Int {
                Op::CmpInt {
                    dst: cond,
                    a: src,
                    b: value,
                    cmp: 0,
                }
            } else {
                Op::CmpScalar {
                    dst: cond,
                    a: src,
                    b: value,
                    cmp: 0,
                }
            };
            self.emit(op);
            let at = self.emit(Op::JumpIf { cond, off: 0 });
            self.fixups.push((at, *b));
        }
        self.jump(otherwise, next)?;
        Ok(())
    }

    /// A `Json` member read with a string literal for the key
    /// (`v.get("id")`, `v.get_string("resourceType")`): its `json_get`
    /// mode and the key. The literal is the `&tmp` argument whose `tmp`
    /// this block assigned a string constant.
    fn member_site(&self, name: &str, args: &[Operand]) -> Option<(u8, String)> {
        let mode = ward_runtime::stdlib::table::entry(name)?.member?;
        // Each site needs a slot of its own (an entry says where one key
        // is); past the last, sites call the native.
        if self.mb.member_sites == u16::MAX {
            return None;
        }
        let [_, key] = args else { return None };
        let key = key.place().filter(|p| p.proj.is_empty())?.local;
        let statements = &self.body.blocks.get(self.cur_block)?.statements;
        let assigned = |local: Local| {
            statements.iter().rev().find_map(|st| match &st.kind {
                StatementKind::Assign(p, rv) if p.local == local && p.proj.is_empty() => Some(rv),
                _ => None,
            })
        };
        let Rvalue::Ref(_, target) = assigned(key)? else {
            return None;
        };
        if !target.proj.is_empty() {
            return None;
        }
        match assigned(target.local)? {
            Rvalue::Use(Operand::Const(Const::Str(s))) => Some((mode, s.clone())),
            _ => None,
        }
    }

    /// `dst = obj.get(key)` through an inline cache slot of its own.
    fn json_get(&mut self, dst: u16, obj: &Operand, mode: u8, key: String) -> R<()> {
        let range = self.stage(std::slice::from_ref(obj))?;
        let k = self.mb.constant(ConstKey::Str(key));
        let slot = self.mb.member_sites;
        self.mb.member_sites = slot + 1;
        self.emit(Op::JsonGet {
            dst,
            obj: range.first,
            k,
            mode,
            slot,
        });
        Ok(())
    }

    fn call(&mut self, callee: &Callee, args: &[Operand], dest: &Place) -> R<()> {
        let dest_ty = self.place_ty(dest);
        let (dst, store) = if dest.proj.is_empty() {
            (self.reg(dest.local), false)
        } else {
            let rt = self.mb.reg_type(&dest_ty);
            (self.scratch(rt)?, true)
        };
        match callee {
            Callee::Def(d) => {
                if let Some(f) = self.mb.fn_index.get(&(*d, None)).copied() {
                    let args = self.stage(args)?;
                    self.emit(Op::Call { dst, f, args });
                } else if self.mb.program.is_std_def(*d) {
                    let name = self.mb.def_name(*d);
                    if name == "type_name" {
                        let t = args.first().map_or(Ty::Error, |a| self.operand_ty(a));
                        let inner = match t {
                            Ty::Ref(_, inner) => *inner,
                            other => other,
                        };
                        let text = crate::types::ty::display(self.mb.program, &inner);
                        self.load_const(&Const::Str(text), dst)?;
                    } else if let Some((mode, key)) = self.member_site(&name, args) {
                        self.json_get(dst, &args[0], mode, key)?;
                    } else {
                        let native = self.mb.native(name);
                        let args = self.stage(args)?;
                        self.emit(Op::CallNative { dst, native, args });
                    }
                } else {
                    let name = self.mb.def_name(*d);
                    return self.fail(format!("a call of `{name}`, which has no body"));
                }
            }
            Callee::Value(op) => {
                // A closure in a field or an element is loaded into a
                // register of its own type, which the verifier checks the
                // call against (through a bare reference it could not).
                let closure = self.read(op)?;
                let args = self.stage(args)?;
                self.emit(Op::CallClosure { dst, closure, args });
            }
            Callee::Builtin(b) => match b {
                Builtin::Clone => {
                    let Some(a) = args.first() else {
                        return self.fail("clone without an argument");
                    };
                    let ptr = self.read(a)?;
                    self.emit(Op::Clone { dst, ptr });
                }
                Builtin::IntoIter => {
                    let src = self.stage(args)?.first;
                    self.emit(Op::IntoIter { dst, src });
                }
                Builtin::IterNext => {
                    let Some(a) = args.first() else {
                        return self.fail("next without an iterator");
                    };
                    let ptr = self.read(a)?;
                    self.emit(Op::IterNext { dst, ptr });
                }
                Builtin::TryConvert => {
                    let Some(a) = args.first() else {
                        return self.fail("`?` without a value");
                    };
                    let to_error = matches!(&dest_ty, Ty::Adt(d, _)
                        if Some(*d) == self.mb.program.lang_item("Error"));
                    if to_error {
                        let src = self.stage(std::slice::from_ref(a))?.first;
                        self.emit(Op::ToError { dst, src });
                    } else {
                        self.write_operand(a, dst)?;
                    }
                }
                Builtin::CaughtPanic => {
                    self.emit(Op::CaughtPanic { dst });
                }
            },
        }
        if store {
            let ptr = self.place_ptr(dest)?;
            self.emit(Op::Store { ptr, src: dst });
        }
        Ok(())
    }

    fn finish(mut self) -> R<Function> {
        let pc_of = |b: BlockId, pcs: &[Option<usize>]| pcs[b.index()].unwrap_or(0);
        for (at, fix) in std::mem::take(&mut self.fixups) {
            let b = fix;
            let target = pc_of(b, &self.block_pc);
            self.patch(at, target)?;
        }
        for (_, next_pc, k, table) in std::mem::take(&mut self.switches) {
            let offs = table
                .iter()
                .map(|b| (pc_of(*b, &self.block_pc) as i64 - next_pc as i64) as i32)
                .collect();
            self.mb.module.constants[k as usize] = Constant::JumpTable(offs);
        }
        let handlers = self
            .handlers
            .iter()
            .map(|(s, e, b)| Handler {
                start: *s as u32,
                end: *e as u32,
                target: pc_of(*b, &self.block_pc) as u32,
            })
            .collect();
        let file = self.mb.file(self.fnmir.file);
        let ret = self.regs.first().copied().unwrap_or(RegType::Unit);
        let first_temp = 1 + self.body.arg_count as usize + self.body.captures.len();
        let mut f = Function {
            name: self.name,
            arity: self.body.arg_count as u16,
            ret,
            regs: self.regs,
            code: self.asm.code,
            lines: self.lines,
            handlers,
            file,
            // Set for functions (not closures) by `compile`.
            caps: ward_runtime::caps::CapSet::EMPTY,
        };
        peephole::optimize(
            &mut f,
            &mut self.mb.module.constants,
            u16::try_from(first_temp).unwrap_or(u16::MAX),
        );
        Ok(f)
    }
}

/// The value of an `int` constant operand that fits an immediate.
fn small_int(op: &Operand) -> Option<i32> {
    match op {
        Operand::Const(Const::Int(k)) => i32::try_from(*k).ok(),
        _ => None,
    }
}

/// The instruction a binary operation on `int`s takes a constant operand
/// as an immediate with.
#[derive(Debug, Clone, Copy)]
enum Immediate {
    Add,
    Sub,
    Mul,
    /// Only by a constant that is neither 0 nor -1, so it cannot fail.
    Div,
    Rem,
    /// A comparison, coded as for `cmp_int`.
    Cmp(u8),
}

/// How a binary operation on `int`s with these operands takes its
/// constant as an immediate: the instruction, the operand left in a
/// register, the constant. `None` when it does not (then its constants
/// get prologue registers, see `FnGen::load_constants`).
fn immediate<'o>(
    op: BinaryOp,
    a: &'o Operand,
    b: &'o Operand,
) -> Option<(Immediate, &'o Operand, i32)> {
    // A comparison's code, and that of the comparison with its sides
    // swapped (`k < x` is `x > k`).
    let cmp = match op {
        BinaryOp::Eq => Some((0, 0)),
        BinaryOp::Ne => Some((1, 1)),
        BinaryOp::Lt => Some((2, 4)),
        BinaryOp::Le => Some((3, 5)),
        BinaryOp::Gt => Some((4, 2)),
        BinaryOp::Ge => Some((5, 3)),
        _ => None,
    };
    match (small_int(a), small_int(b), cmp) {
        (_, Some(k), Some((c, _))) => Some((Immediate::Cmp(c), a, k)),
        (Some(k), None, Some((_, swapped))) => Some((Immediate::Cmp(swapped), b, k)),
        (_, Some(k), None) if op == BinaryOp::Add => Some((Immediate::Add, a, k)),
        (_, Some(k), None) if op == BinaryOp::Sub => Some((Immediate::Sub, a, k)),
        (_, Some(k), None) if op == BinaryOp::Mul => Some((Immediate::Mul, a, k)),
        (_, Some(k), None) if op == BinaryOp::Div && k != 0 && k != -1 => {
            Some((Immediate::Div, a, k))
        }
        (_, Some(k), None) if op == BinaryOp::Rem && k != 0 && k != -1 => {
            Some((Immediate::Rem, a, k))
        }
        (Some(k), None, None) if op == BinaryOp::Add => Some((Immediate::Add, b, k)),
        (Some(k), None, None) if op == BinaryOp::Mul => Some((Immediate::Mul, b, k)),
        _ => None,
    }
}

/// Whether dropping a value of this type frees nothing (scalars,
/// references, functions).
fn is_trivially_dropped(t: &Ty) -> bool {
    match t {
        Ty::Int | Ty::Float | Ty::Bool | Ty::Char | Ty::Never | Ty::Ref(..) => true,
        Ty::Tuple(items) => items.iter().all(is_trivially_dropped),
        _ => false,
    }
}
