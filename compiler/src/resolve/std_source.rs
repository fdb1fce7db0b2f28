//! The standard library as Ward declarations, generated from the runtime's
//! table (`ward_runtime::stdlib::table`). The std "file" is parsed and
//! resolved like any other, so the checker types std calls with the same
//! code as user calls and never names a std function itself.
//!
//! What the table says beyond signatures becomes attributes the checker
//! reads: `#[native]` on every function (no body to check), `#[format]` and
//! `#[borrows_args]` for the print family and `assert_eq`,
//! `#[hl7_path]` for functions whose first argument is a terser path (W1004), `#[opaque]`,
//! `#[copy]`, `#[no_send]`, `#[no_clone]`, `#[display]`, `#[static_args]` on types, and the
//! roles `#[deref]`, `#[iter]`, `#[index]` on hidden methods whose
//! signatures give the deref target, the `for` item and the index types.

use std::fmt::Write as _;
use ward_runtime::stdlib::table::{FnKind, MODULES, StdFn, StdModule, StdType, TypeDef};

/// The std source text. Deterministic: the same table gives the same text.
pub fn std_source() -> String {
    let mut out =
        String::from("// The Ward standard library, generated from the runtime's table.\n");
    for module in MODULES {
        if module.name.is_empty() {
            write_module_body(&mut out, module, "");
        } else {
            let _ = writeln!(out, "/// {}\npub mod {} {{", module.doc, module.name);
            write_module_body(&mut out, module, "    ");
            out.push_str("}\n");
        }
    }
    out
}

fn write_module_body(out: &mut String, module: &StdModule, indent: &str) {
    for ty in module.types {
        write_type(out, ty, indent);
    }
    for function in module.fns {
        write_fn(out, function, indent);
    }
    for c in module.consts {
        let _ = writeln!(
            out,
            "{indent}/// {}\n{indent}pub const {}: {} = {};",
            c.doc, c.name, c.ty, c.value
        );
    }
}

fn write_fn(out: &mut String, function: &StdFn, indent: &str) {
    let _ = writeln!(out, "{indent}/// {}", function.doc);
    let kind = match function.kind {
        FnKind::Plain => "",
        FnKind::Format => " #[format]",
        FnKind::BorrowsArgs => " #[borrows_args]",
        FnKind::Detaches => " #[detaches]",
        FnKind::Sends => " #[sends]",
    };
    let path = if function.hl7_path {
        " #[hl7_path]"
    } else {
        ""
    };
    let _ = write!(
        out,
        "{indent}#[native]{kind}{path} pub fn {}{}",
        function.name, function.sig
    );
    if let Some(cap) = function.cap {
        let _ = write!(out, " uses {cap}");
    }
    out.push_str(" {}\n");
}

fn write_type(out: &mut String, ty: &StdType, indent: &str) {
    let generics = ty.generics;
    if !matches!(ty.def, TypeDef::Primitive) {
        let _ = writeln!(out, "{indent}/// {}", ty.doc);
        let mut attrs = String::new();
        if matches!(ty.def, TypeDef::Opaque | TypeDef::OpaqueWithFields(_)) {
            attrs.push_str("#[opaque] ");
        }
        if ty.copy {
            attrs.push_str("#[copy] ");
        }
        if ty.derive_copy {
            attrs.push_str("#[derive(Copy, Clone)] ");
        }
        if !ty.send {
            attrs.push_str("#[no_send] ");
        }
        if !ty.clone {
            attrs.push_str("#[no_clone] ");
        }
        if !ty.eq {
            attrs.push_str("#[no_eq] ");
        }
        if ty.display {
            attrs.push_str("#[display] ");
        }
        if ty.static_args {
            attrs.push_str("#[static_args] ");
        }
        if ty.iter_moves {
            attrs.push_str("#[iter_moves] ");
        }
        let name = ty.name;
        match ty.def {
            TypeDef::Opaque => {
                let _ = writeln!(out, "{indent}{attrs}pub struct {name}{generics};");
            }
            TypeDef::OpaqueWithFields(body) | TypeDef::Struct(body) => {
                let _ = writeln!(out, "{indent}{attrs}pub struct {name}{generics} {body}");
            }
            TypeDef::Enum(body) => {
                let _ = writeln!(out, "{indent}{attrs}pub enum {name}{generics} {body}");
            }
            TypeDef::Primitive => {}
        }
    }
    let self_ty = format!("{}{}", ty.name, generics);
    if !ty.ref_methods.is_empty() {
        // `impl<T, E> Result<&T, E>`: the first argument a reference.
        let by_ref = generics.replacen('<', "<&", 1);
        let _ = writeln!(out, "{indent}impl{generics} {}{by_ref} {{", ty.name);
        for method in ty.ref_methods {
            write_fn(out, method, &format!("{indent}    "));
        }
        let _ = writeln!(out, "{indent}}}");
    }
    let roles = ty.deref.is_some() || ty.iter.is_some() || ty.index.is_some();
    if ty.methods.is_empty() && !roles {
        return;
    }
    let _ = writeln!(out, "{indent}impl{generics} {self_ty} {{");
    let inner = format!("{indent}    ");
    if let Some(target) = ty.deref {
        let _ = writeln!(
            out,
            "{inner}#[native] #[deref] fn deref(&self) -> &{target} {{}}"
        );
    }
    if let Some(item) = ty.iter {
        let _ = writeln!(
            out,
            "{inner}#[native] #[iter] fn iter_item(self) -> {item} {{}}"
        );
    }
    if let Some((key, value)) = ty.index {
        let _ = writeln!(
            out,
            "{inner}#[native] #[index] fn index(&self, key: {key}) -> {value} {{}}"
        );
    }
    for method in ty.methods {
        write_fn(out, method, &inner);
    }
    let _ = writeln!(out, "{indent}}}");
}
