//! The Ward compiler: source text in, a checked program (and later bytecode)
//! or diagnostics out.
//!
//! The stages, in the order data flows through them:
//! [`syntax`] (tree-sitter tree to AST), [`resolve`] (names, modules,
//! imports), [`types`] (inference and checking). [`analysis`] is the one
//! entry point the command line and the language server call;
//! [`diagnostics`] is what every stage reports in.

pub mod analysis;
pub mod borrowck;
pub mod codegen;
pub mod diagnostics;
pub mod format;
pub mod ide;
pub mod mir;
pub mod resolve;
pub mod syntax;
pub mod types;
