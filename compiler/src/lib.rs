//! The Ward compiler: source text in, a checked program (and later bytecode)
//! or diagnostics out.
//!
//! Today it holds the front door, [`syntax`]: parsing through the tree-sitter
//! grammar and turning the tree's damage into syntax errors. Name resolution,
//! typing, borrow checking and code generation arrive as the modules named in
//! ARCHITECTURE.md.

pub mod syntax;
