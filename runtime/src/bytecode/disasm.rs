//! The disassembler behind `ward run --emit bytecode`: every table of the
//! module, then each function's typed registers and instructions with
//! their offsets, jump targets and source lines.

use super::ops::Op;
use super::{Constant, Module, TypeDef};
use std::fmt::Write as _;

pub fn disassemble(m: &Module) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "module {}", m.name);
    if !m.constants.is_empty() {
        out.push_str("constants:\n");
        for (i, c) in m.constants.iter().enumerate() {
            let text = match c {
                Constant::Int(v) => format!("int {v}"),
                Constant::Float(v) => format!("float {v:?}"),
                Constant::Char(c) => format!("char {c:?}"),
                Constant::Str(s) => format!("str {s:?}"),
                Constant::JumpTable(t) => format!("jump table {t:?}"),
            };
            let _ = writeln!(out, "  k{i} = {text}");
        }
    }
    if !m.types.is_empty() {
        out.push_str("types:\n");
        for (i, t) in m.types.iter().enumerate() {
            let text = match t {
                TypeDef::Record {
                    name,
                    fields,
                    field_names,
                } => {
                    let fs: Vec<String> = fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| match field_names.get(i) {
                            Some(n) => format!("{n}: {}", f.name()),
                            None => f.name(),
                        })
                        .collect();
                    format!("record {name} {{ {} }}", fs.join(", "))
                }
                TypeDef::Enum { name, variants, .. } => {
                    let vs: Vec<String> = variants
                        .iter()
                        .map(|(n, fs)| {
                            let fs: Vec<String> = fs.iter().map(|f| f.name()).collect();
                            format!("{n}({})", fs.join(", "))
                        })
                        .collect();
                    format!("enum {name} {{ {} }}", vs.join(", "))
                }
                TypeDef::List(e) => format!("list of {}", e.name()),
                TypeDef::Map(k, v) => format!("map {} -> {}", k.name(), v.name()),
                TypeDef::Closure { params, ret } => {
                    let ps: Vec<String> = params.iter().map(|f| f.name()).collect();
                    format!("closure ({}) -> {}", ps.join(", "), ret.name())
                }
            };
            let _ = writeln!(out, "  ty#{i} = {text}");
        }
    }
    if !m.natives.is_empty() {
        out.push_str("natives:\n");
        for (i, n) in m.natives.iter().enumerate() {
            let _ = writeln!(out, "  native#{i} = {n}");
        }
    }
    for (i, f) in m.functions.iter().enumerate() {
        let entry = if m.entry == Some(i as u32) {
            " (entry)"
        } else {
            ""
        };
        let uses = if f.caps.is_empty() {
            String::new()
        } else {
            format!(" uses {}", f.caps)
        };
        let _ = writeln!(
            out,
            "fn#{i} {}{entry}: {} args -> {}{uses}",
            f.name,
            f.arity,
            f.ret.name()
        );
        for (r, t) in f.regs.iter().enumerate() {
            let _ = writeln!(out, "  r{r}: {}", t.name());
        }
        let mut last_line = None;
        match f.instructions() {
            Ok(ops) => {
                for (k, &(pc, op)) in ops.iter().enumerate() {
                    let next = ops.get(k + 1).map_or(f.code.len(), |(p, _)| *p);
                    let mut text = op.text();
                    for off in op.jump_offsets() {
                        let _ = write!(text, " -> {:04}", next as i64 + i64::from(off));
                    }
                    if let Op::Switch { table, .. } = op
                        && let Some(Constant::JumpTable(t)) = m.constants.get(table as usize)
                    {
                        let targets: Vec<String> = t
                            .iter()
                            .map(|o| format!("{:04}", next as i64 + i64::from(*o)))
                            .collect();
                        let _ = write!(text, " [{}]", targets.join(", "));
                    }
                    let line = f.line_at(pc as u32).map(|l| (l.line, l.col));
                    if line != last_line
                        && let Some((l, c)) = line
                    {
                        let _ = writeln!(out, "  {pc:04}  {text:<40} ; {l}:{c}");
                    } else {
                        let _ = writeln!(out, "  {pc:04}  {text}");
                    }
                    last_line = line;
                }
            }
            Err(e) => {
                let _ = writeln!(out, "  <undecodable: {e}>");
            }
        }
        for h in &f.handlers {
            let _ = writeln!(
                out,
                "  on panic in {:04}..{:04} -> {:04}",
                h.start, h.end, h.target
            );
        }
    }
    out
}
