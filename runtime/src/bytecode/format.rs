//! The binary form of a module: a magic number and version, then each
//! table with a length prefix. Reading is bounds-checked throughout, so
//! any byte string gives a module or an error, never a crash.

use super::{Constant, Function, Handler, LineEntry, Module, RegType, TypeDef};

const MAGIC: &[u8; 6] = b"WARDBC";
const VERSION: u16 = 2;

/// Why bytes are not a loadable module.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// Not a module of this version, or cut short, or malformed.
    Format(String),
    /// Well-formed but rejected by the verifier.
    Invalid(super::verify::VerifyError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Format(m) => write!(f, "malformed bytecode: {m}"),
            LoadError::Invalid(e) => write!(f, "invalid bytecode: {e}"),
        }
    }
}

impl std::error::Error for LoadError {}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn reg_type(&mut self, t: RegType) {
        match t {
            RegType::Unit => self.u8(0),
            RegType::Int => self.u8(1),
            RegType::Float => self.u8(2),
            RegType::Bool => self.u8(3),
            RegType::Char => self.u8(4),
            RegType::Str => self.u8(5),
            RegType::Owned(n) => {
                self.u8(6);
                self.u32(n);
            }
            RegType::Ref => self.u8(8),
            RegType::Any => self.u8(9),
            RegType::Gc(n) => {
                self.u8(7);
                self.u32(n);
            }
        }
    }
    fn reg_types(&mut self, ts: &[RegType]) {
        self.len(ts.len());
        for t in ts {
            self.reg_type(*t);
        }
    }
}

pub fn write(m: &Module) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.0.extend_from_slice(MAGIC);
    w.u16(VERSION);
    w.str(&m.name);
    w.len(m.files.len());
    for f in &m.files {
        w.str(f);
    }
    w.len(m.constants.len());
    for c in &m.constants {
        match c {
            Constant::Int(v) => {
                w.u8(0);
                w.0.extend_from_slice(&v.to_le_bytes());
            }
            Constant::Float(v) => {
                w.u8(1);
                w.0.extend_from_slice(&v.to_bits().to_le_bytes());
            }
            Constant::Char(c) => {
                w.u8(2);
                w.u32(u32::from(*c));
            }
            Constant::Str(s) => {
                w.u8(3);
                w.str(s);
            }
            Constant::JumpTable(t) => {
                w.u8(4);
                w.len(t.len());
                for off in t {
                    w.0.extend_from_slice(&off.to_le_bytes());
                }
            }
        }
    }
    w.len(m.types.len());
    for t in &m.types {
        match t {
            TypeDef::Record {
                name,
                fields,
                field_names,
            } => {
                w.u8(0);
                w.str(name);
                w.reg_types(fields);
                w.len(field_names.len());
                for n in field_names {
                    w.str(n);
                }
            }
            TypeDef::Enum {
                name,
                variants,
                field_names,
            } => {
                w.u8(1);
                w.str(name);
                w.len(variants.len());
                for (i, (n, fs)) in variants.iter().enumerate() {
                    w.str(n);
                    w.reg_types(fs);
                    let names = field_names.get(i).map_or(&[][..], Vec::as_slice);
                    w.len(names.len());
                    for f in names {
                        w.str(f);
                    }
                }
            }
            TypeDef::List(e) => {
                w.u8(2);
                w.reg_type(*e);
            }
            TypeDef::Map(k, v) => {
                w.u8(3);
                w.reg_type(*k);
                w.reg_type(*v);
            }
            TypeDef::Closure { params, ret } => {
                w.u8(4);
                w.reg_types(params);
                w.reg_type(*ret);
            }
        }
    }
    w.len(m.natives.len());
    for n in &m.natives {
        w.str(n);
    }
    w.len(m.functions.len());
    for f in &m.functions {
        w.str(&f.name);
        w.u16(f.arity);
        w.reg_type(f.ret);
        w.reg_types(&f.regs);
        w.bytes(&f.code);
        w.len(f.lines.len());
        for l in &f.lines {
            w.u32(l.pc);
            w.u32(l.line);
            w.u32(l.col);
        }
        w.len(f.handlers.len());
        for h in &f.handlers {
            w.u32(h.start);
            w.u32(h.end);
            w.u32(h.target);
        }
        w.u32(f.file);
        w.u8(f.caps.bits());
    }
    match m.entry {
        Some(e) => {
            w.u8(1);
            w.u32(e);
        }
        None => w.u8(0),
    }
    w.0
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

type R<T> = Result<T, LoadError>;

impl Reader<'_> {
    fn take(&mut self, n: usize) -> R<&[u8]> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        match end {
            Some(e) => {
                let s = &self.bytes[self.at..e];
                self.at = e;
                Ok(s)
            }
            None => Err(LoadError::Format(format!("cut short at byte {}", self.at))),
        }
    }
    fn u8(&mut self) -> R<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> R<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> R<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> R<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    /// A count, bounded by the bytes left (each item takes at least one).
    fn len(&mut self) -> R<usize> {
        let n = self.u32()? as usize;
        if n > self.bytes.len() - self.at {
            return Err(LoadError::Format(format!(
                "count {n} at byte {} exceeds the input",
                self.at - 4
            )));
        }
        Ok(n)
    }
    fn bytes(&mut self) -> R<Vec<u8>> {
        let n = self.len()?;
        Ok(self.take(n)?.to_vec())
    }
    fn str(&mut self) -> R<String> {
        let at = self.at;
        String::from_utf8(self.bytes()?)
            .map_err(|_| LoadError::Format(format!("text at byte {at} is not UTF-8")))
    }
    fn reg_type(&mut self) -> R<RegType> {
        Ok(match self.u8()? {
            0 => RegType::Unit,
            1 => RegType::Int,
            2 => RegType::Float,
            3 => RegType::Bool,
            4 => RegType::Char,
            5 => RegType::Str,
            6 => RegType::Owned(self.u32()?),
            7 => RegType::Gc(self.u32()?),
            8 => RegType::Ref,
            9 => RegType::Any,
            t => return Err(LoadError::Format(format!("unknown register type {t}"))),
        })
    }
    fn reg_types(&mut self) -> R<Vec<RegType>> {
        let n = self.len()?;
        (0..n).map(|_| self.reg_type()).collect()
    }
}

pub fn read(bytes: &[u8]) -> Result<Module, LoadError> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(6)? != MAGIC {
        return Err(LoadError::Format(
            "not a Ward bytecode module (bad magic number)".into(),
        ));
    }
    let version = r.u16()?;
    if version != VERSION {
        return Err(LoadError::Format(format!(
            "version {version}, this runtime reads {VERSION}"
        )));
    }
    let mut m = Module {
        name: r.str()?,
        ..Module::default()
    };
    for _ in 0..r.len()? {
        m.files.push(r.str()?);
    }
    for _ in 0..r.len()? {
        let c = match r.u8()? {
            0 => Constant::Int(i64::from_le_bytes(r.u64()?.to_le_bytes())),
            1 => Constant::Float(f64::from_bits(r.u64()?)),
            2 => {
                let v = r.u32()?;
                Constant::Char(
                    char::from_u32(v)
                        .ok_or_else(|| LoadError::Format(format!("{v:#x} is not a char")))?,
                )
            }
            3 => Constant::Str(r.str()?),
            4 => {
                let n = r.len()?;
                let mut t = Vec::with_capacity(n);
                for _ in 0..n {
                    t.push(i32::from_le_bytes(r.u32()?.to_le_bytes()));
                }
                Constant::JumpTable(t)
            }
            k => return Err(LoadError::Format(format!("unknown constant kind {k}"))),
        };
        m.constants.push(c);
    }
    for _ in 0..r.len()? {
        let t = match r.u8()? {
            0 => {
                let name = r.str()?;
                let fields = r.reg_types()?;
                let n = r.len()?;
                let mut field_names = Vec::with_capacity(n);
                for _ in 0..n {
                    field_names.push(r.str()?);
                }
                TypeDef::Record {
                    name,
                    fields,
                    field_names,
                }
            }
            1 => {
                let name = r.str()?;
                let n = r.len()?;
                let mut variants = Vec::with_capacity(n);
                let mut field_names = Vec::with_capacity(n);
                for _ in 0..n {
                    variants.push((r.str()?, r.reg_types()?));
                    let k = r.len()?;
                    let mut names = Vec::with_capacity(k);
                    for _ in 0..k {
                        names.push(r.str()?);
                    }
                    field_names.push(names);
                }
                TypeDef::Enum {
                    name,
                    variants,
                    field_names,
                }
            }
            2 => TypeDef::List(r.reg_type()?),
            3 => TypeDef::Map(r.reg_type()?, r.reg_type()?),
            4 => TypeDef::Closure {
                params: r.reg_types()?,
                ret: r.reg_type()?,
            },
            k => return Err(LoadError::Format(format!("unknown type kind {k}"))),
        };
        m.types.push(t);
    }
    for _ in 0..r.len()? {
        m.natives.push(r.str()?);
    }
    for _ in 0..r.len()? {
        let name = r.str()?;
        let arity = r.u16()?;
        let ret = r.reg_type()?;
        let regs = r.reg_types()?;
        let code = r.bytes()?;
        let n = r.len()?;
        let mut lines = Vec::with_capacity(n);
        for _ in 0..n {
            lines.push(LineEntry {
                pc: r.u32()?,
                line: r.u32()?,
                col: r.u32()?,
            });
        }
        let n = r.len()?;
        let mut handlers = Vec::with_capacity(n);
        for _ in 0..n {
            handlers.push(Handler {
                start: r.u32()?,
                end: r.u32()?,
                target: r.u32()?,
            });
        }
        let file = r.u32()?;
        let bits = r.u8()?;
        let caps = crate::caps::CapSet::from_bits(bits);
        if caps.bits() != bits {
            return Err(LoadError::Format(format!(
                "`{name}` needs unknown capabilities ({bits:#04x})"
            )));
        }
        m.functions.push(Function {
            name,
            arity,
            ret,
            regs,
            code,
            lines,
            handlers,
            file,
            caps,
        });
    }
    m.entry = match r.u8()? {
        0 => None,
        _ => Some(r.u32()?),
    };
    if r.at != bytes.len() {
        return Err(LoadError::Format(format!(
            "{} bytes after the module",
            bytes.len() - r.at
        )));
    }
    Ok(m)
}
