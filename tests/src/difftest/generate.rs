//! A generator of small, well-typed Ward programs in the common subset that
//! stress ownership: moves on some paths, loops, nested and re-borrows,
//! struct fields, closures, references in structs and lifetimes in
//! signatures. It tracks only types, never ownership, so whether a program
//! is accepted is left to chance: about half are rejected, each for a
//! reason the borrow checker must name.

use std::fmt::Write as _;

/// A small deterministic generator (xorshift64*), so a seed names a
/// program.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n.max(1) as u64).unwrap_or(0)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum T {
    Int,
    Str,
    List,
    Rec,
    Pt,
    RefStr,
    MutList,
    Holder,
    OptStr,
    /// An `Fn` closure returning `int`.
    Closure,
    /// A closure that changes what it captures (`FnMut`), returning `int`.
    MutClosure,
    /// A closure that moves a capture out (`FnOnce`), returning `int`.
    OnceClosure,
    View,
    RefRec,
    GcNode,
}

#[derive(Debug, Clone)]
struct Var {
    name: String,
    ty: T,
}

struct Gen<'a> {
    rng: &'a mut Rng,
    out: String,
    scopes: Vec<Vec<Var>>,
    next: usize,
    indent: usize,
}

const PRELUDE: &str = "struct Rec { name: String, n: int }
#[derive(Copy, Clone)]
struct Pt { x: int, y: int }
struct Holder<'a> { r: &'a String }
fn consume(s: String) -> int { s.len() }
fn consume_rec(r: Rec) -> int { r.n }
fn consume_list(v: List<int>) -> int { v.len() }
fn peek(s: &String) -> int { s.len() }
fn bump(v: &mut List<int>) { v.push(1); }
fn longest<'a>(a: &'a String, b: &'a String) -> &'a String { if a.len() > b.len() { a } else { b } }
fn make_rec(n: int) -> Rec { Rec { name: \"made\", n } }
fn rec_ref(r: &Rec) -> &Rec { r }
struct View<'a> { r: &'a String, own: String }
struct Node { name: String, kids: RefCell<List<Gc<Node>>>, hits: Cell<int> }
fn node(name: String) -> Gc<Node> { Gc::new(Node { name, kids: RefCell::new(List::new()), hits: Cell::new(0) }) }
fn call_fn(f: fn() -> int) -> int { f() + f() }
fn call_mut(mut f: fn() -> int) -> int { f() + f() }
";

/// The methods of `impl<'a> View<'a>`: `get` right (the borrowed
/// `'a` field, or elided to `&self`) or wrong (an owned field as `&'a`:
/// rustc's "lifetime may not live long enough").
const VIEW_IMPLS: [&str; 4] = [
    "impl<'a> View<'a> {\n    fn get(&self) -> &'a String { self.r }\n    fn total(&self) -> int { self.r.len() + self.own.len() }\n}\n",
    "impl<'a> View<'a> {\n    fn get(&self) -> &String { self.r }\n    fn total(&self) -> int { self.r.len() + self.own.len() }\n}\n",
    "impl<'a> View<'a> {\n    fn get(&self) -> &'a String { let t = self.r; t }\n    fn total(&self) -> int { self.get().len() }\n}\n",
    "impl<'a> View<'a> {\n    fn get(&self) -> &'a String { &self.own }\n    fn total(&self) -> int { self.own.len() }\n}\n",
];

/// Lifetime helpers: some right, some wrong (W0515, W0621, W0623).
const HELPERS: [&str; 6] = [
    "fn pick<'a>(a: &'a String, b: &String) -> &'a String { println(\"{}\", b); a }\n",
    "fn pick<'a>(a: &'a String, b: &String) -> &'a String { println(\"{}\", a); b }\n",
    "fn pick<'a, 'b>(a: &'a String, b: &'b String) -> &'a String { if a.len() > 1 { a } else { b } }\n",
    "fn pick<'a, 'b: 'a>(a: &'a String, b: &'b String) -> &'a String { if a.len() > 1 { a } else { b } }\n",
    "fn pick<'a>(a: &'a String, b: &String) -> &'a String { let t = b.clone(); if a.len() > 1 { a } else { &t } }\n",
    "fn pick(a: &String) -> &String { a }\n",
];

/// One random program.
pub fn program(rng: &mut Rng) -> String {
    let mut g = Gen {
        rng,
        out: String::new(),
        scopes: vec![Vec::new()],
        next: 0,
        indent: 1,
    };
    g.out.push_str(PRELUDE);
    let view = if g.rng.chance(10) { 3 } else { g.rng.below(3) };
    g.out.push_str(VIEW_IMPLS[view]);
    if g.rng.chance(15) {
        let h = HELPERS[g.rng.below(HELPERS.len())];
        g.out.push_str(h);
    }
    g.out.push_str("fn main() {\n");
    let n = 4 + g.rng.below(7);
    for _ in 0..n {
        g.stmt(0);
    }
    g.use_borrows();
    g.out.push_str("}\n");
    g.out
}

impl Gen<'_> {
    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn vars(&self, ty: T) -> Vec<Var> {
        self.scopes
            .iter()
            .flatten()
            .filter(|v| v.ty == ty)
            .cloned()
            .collect()
    }

    fn pick(&mut self, ty: T) -> Option<Var> {
        let vs = self.vars(ty);
        if vs.is_empty() {
            None
        } else {
            let i = self.rng.below(vs.len());
            Some(vs[i].clone())
        }
    }

    fn declare(&mut self, ty: T, prefix: &str, mutable: bool, init: &str) -> String {
        let name = self.fresh(prefix);
        let m = if mutable { "mut " } else { "" };
        let annot = match ty {
            T::List => ": List<int>",
            T::MutList => ": &mut List<int>",
            T::RefStr => ": &String",
            _ => "",
        };
        self.line(&format!("let {m}{name}{annot} = {init};"));
        if let Some(s) = self.scopes.last_mut() {
            s.push(Var {
                name: name.clone(),
                ty,
            });
        }
        name
    }

    fn word(&mut self) -> &'static str {
        ["\"ada\"", "\"grace\"", "\"bed 4\"", "\"hl7\""][self.rng.below(4)]
    }

    /// A new value of a type, or a use of a variable of it.
    fn value(&mut self, ty: T) -> String {
        match ty {
            T::Int => match self.pick(T::Int) {
                Some(v) if self.rng.chance(50) => v.name,
                _ => (self.rng.below(9) + 1).to_string(),
            },
            T::Str => self.word().to_string(),
            T::List => "List::new()".into(),
            T::Rec => format!("Rec {{ name: {}, n: {} }}", self.word(), self.rng.below(9)),
            T::Pt => format!(
                "Pt {{ x: {}, y: {} }}",
                self.rng.below(9),
                self.rng.below(9)
            ),
            _ => "0".into(),
        }
    }

    #[allow(clippy::too_many_lines)]
    fn stmt(&mut self, depth: usize) {
        let choice = self.rng.below(45);
        if choice >= 30 {
            self.newer_stmt(choice - 30, depth);
            return;
        }
        match choice {
            0..=4 => {
                let ty = [T::Str, T::List, T::Rec, T::Pt, T::Int][self.rng.below(5)];
                let init = self.value(ty);
                let mutable = self.rng.chance(60);
                let prefix = match ty {
                    T::Str => "s",
                    T::List => "l",
                    T::Rec => "r",
                    T::Pt => "p",
                    _ => "i",
                };
                self.declare(ty, prefix, mutable, &init);
            }
            5 => {
                // Move (or copy) into a new binding.
                let ty = [T::Str, T::Rec, T::Pt, T::List][self.rng.below(4)];
                if let Some(v) = self.pick(ty) {
                    let m = self.rng.chance(30);
                    self.declare(ty, "m", m, &v.name);
                }
            }
            6 => {
                let (f, ty) = [
                    ("consume", T::Str),
                    ("consume_rec", T::Rec),
                    ("consume_list", T::List),
                ][self.rng.below(3)];
                if let Some(v) = self.pick(ty) {
                    self.line(&format!("{f}({});", v.name));
                }
            }
            7 => {
                if let Some(v) = self.pick(T::Rec) {
                    let m = self.rng.chance(30);
                    self.declare(T::Str, "f", m, &format!("{}.name", v.name));
                }
            }
            8..=10 => {
                // Reads.
                let opts: Vec<(T, &str)> = vec![
                    (T::Str, ""),
                    (T::Rec, ".n"),
                    (T::Rec, ".name"),
                    (T::List, ".len()"),
                    (T::Pt, ".x"),
                    (T::RefStr, ""),
                    (T::MutList, ".len()"),
                    (T::Holder, ".r"),
                    (T::Int, ""),
                    (T::OptStr, ".is_some()"),
                ];
                let (ty, suffix) = opts[self.rng.below(opts.len())];
                if let Some(v) = self.pick(ty) {
                    self.line(&format!("println(\"{{}}\", {}{suffix});", v.name));
                }
            }
            11 => {
                if let Some(v) = self.pick(T::Str) {
                    let init = format!("&{}", v.name);
                    let m = self.rng.chance(20);
                    self.declare(T::RefStr, "q", m, &init);
                }
            }
            12 => {
                if let Some(v) = self.pick(T::List) {
                    let init = format!("&mut {}", v.name);
                    self.declare(T::MutList, "w", false, &init);
                }
            }
            13 => {
                if let Some(v) = self.pick(T::MutList) {
                    let which = self.rng.below(3);
                    match which {
                        0 => self.line(&format!("{}.push(2);", v.name)),
                        1 => self.line(&format!("bump({});", v.name)),
                        _ => {
                            let init = format!("&mut *{}", v.name);
                            self.declare(T::MutList, "w", false, &init);
                        }
                    }
                }
            }
            14 => {
                if let Some(v) = self.pick(T::List) {
                    if self.rng.chance(50) {
                        self.line(&format!("{}.push({}.len());", v.name, v.name));
                    } else {
                        self.line(&format!("{}.push(3);", v.name));
                    }
                }
            }
            15 => {
                // Assignments.
                let ty = [T::Str, T::Int, T::Rec, T::RefStr][self.rng.below(4)];
                if let Some(v) = self.pick(ty) {
                    match ty {
                        T::Str => {
                            let w = self.word();
                            self.line(&format!("{} = {w};", v.name));
                        }
                        T::Int => self.line(&format!("{} = {} + 1;", v.name, v.name)),
                        T::Rec => {
                            if self.rng.chance(50) {
                                self.line(&format!("{}.n = 5;", v.name));
                            } else {
                                let w = self.word();
                                self.line(&format!("{}.name = {w};", v.name));
                            }
                        }
                        _ => {
                            if let Some(s) = self.pick(T::Str) {
                                self.line(&format!("{} = &{};", v.name, s.name));
                            }
                        }
                    }
                }
            }
            16 => {
                let a = self.pick(T::Str);
                let b = self.pick(T::Str);
                if let (Some(a), Some(b)) = (a, b) {
                    let init = format!("longest(&{}, &{})", a.name, b.name);
                    self.declare(T::RefStr, "q", false, &init);
                }
            }
            17 => {
                if let Some(v) = self.pick(T::Str) {
                    let init = format!("Holder {{ r: &{} }}", v.name);
                    self.declare(T::Holder, "h", false, &init);
                }
            }
            18 => {
                // A reference that may outlive a block-local value.
                if let Some(s) = self.pick(T::Str) {
                    let q = self.declare(T::RefStr, "q", true, &format!("&{}", s.name));
                    let t = self.fresh("t");
                    let w = self.word();
                    self.line("{");
                    self.indent += 1;
                    self.line(&format!("let {t} = {w};"));
                    if self.rng.chance(60) {
                        self.line(&format!("{q} = &{t};"));
                    }
                    self.indent -= 1;
                    self.line("}");
                }
            }
            19 | 20 if depth < 2 => {
                let cond = match self.pick(T::Int) {
                    Some(v) => format!("{} > 2", v.name),
                    None => "1 > 0".into(),
                };
                self.line(&format!("if {cond} {{"));
                self.block(depth);
                if self.rng.chance(50) {
                    self.line("} else {");
                    self.block(depth);
                }
                self.line("}");
            }
            21 if depth < 2 => {
                let k = self.fresh("k");
                self.line(&format!("let mut {k} = 0;"));
                self.line(&format!("while {k} < 2 {{"));
                self.indent += 1;
                self.line(&format!("{k} += 1;"));
                self.indent -= 1;
                self.block(depth);
                self.line("}");
            }
            22 => {
                if let Some(v) = self.pick(T::List) {
                    let x = self.fresh("x");
                    match self.rng.below(3) {
                        0 => self.line(&format!(
                            "for {x} in &{} {{ println(\"{{}}\", {x}); }}",
                            v.name
                        )),
                        1 => self.line(&format!(
                            "for {x} in &{} {{ {}.push(*{x}); }}",
                            v.name, v.name
                        )),
                        _ => self.line(&format!(
                            "for {x} in {} {{ println(\"{{}}\", {x}); }}",
                            v.name
                        )),
                    }
                }
            }
            23 => {
                // Closures: borrow, mutate, or move what they use.
                let which = self.rng.below(3);
                match which {
                    0 => {
                        if let Some(v) = self.pick(T::Str) {
                            let init = format!("|| {}.len()", v.name);
                            self.declare(T::Closure, "c", false, &init);
                        }
                    }
                    1 => {
                        if let Some(v) = self.pick(T::Str) {
                            let init = format!("move || {}.len()", v.name);
                            self.declare(T::Closure, "c", false, &init);
                        }
                    }
                    _ => {
                        if let Some(v) = self.pick(T::Rec) {
                            let init = format!("|| {}.n + 1", v.name);
                            self.declare(T::Closure, "c", false, &init);
                        }
                    }
                }
            }
            24 => {
                let ty = [T::Closure, T::MutClosure, T::OnceClosure][self.rng.below(3)];
                if let Some(c) = self.pick(ty) {
                    self.line(&format!("println(\"{{}}\", {}());", c.name));
                }
            }
            25 => {
                if let Some(v) = self.pick(T::Str) {
                    let init = format!("Some({})", v.name);
                    self.declare(T::OptStr, "o", false, &init);
                }
            }
            26 => {
                if let Some(o) = self.pick(T::OptStr) {
                    let t = self.fresh("t");
                    if self.rng.chance(50) {
                        self.line(&format!(
                            "match {} {{ Some({t}) => {{ consume({t}); }} None => {{}} }}",
                            o.name
                        ));
                    } else {
                        self.line(&format!(
                            "match &{} {{ Some({t}) => println(\"{{}}\", {t}), None => {{}} }}",
                            o.name
                        ));
                    }
                }
            }
            27 => {
                // Declared now, initialised on some paths.
                let x = self.fresh("u");
                self.line(&format!("let {x}: int;"));
                if let Some(v) = self.pick(T::Int) {
                    self.line(&format!("if {} > 3 {{ {x} = 1; }}", v.name));
                } else if self.rng.chance(50) {
                    self.line(&format!("{x} = 2;"));
                }
                if let Some(s) = self.scopes.last_mut() {
                    s.push(Var {
                        name: x,
                        ty: T::Int,
                    });
                }
            }
            28 => {
                if self.out.contains("fn pick") {
                    let a = self.pick(T::Str);
                    let b = self.pick(T::Str);
                    if let (Some(a), Some(b)) = (a, b) {
                        let init = if self.out.contains("fn pick(a: &String)") {
                            format!("pick(&{})", a.name)
                        } else {
                            format!("pick(&{}, &{})", a.name, b.name)
                        };
                        self.declare(T::RefStr, "q", false, &init);
                    }
                }
            }
            _ => {
                let ty = [T::Str, T::List][self.rng.below(2)];
                if let Some(v) = self.pick(ty) {
                    self.line(&format!("drop({});", v.name));
                }
            }
        }
    }

    /// Closures of every kind, `impl<'a>` views, temporaries in `if` and
    /// `match` arms, and `Gc`/`RefCell` graphs.
    #[allow(clippy::too_many_lines)]
    fn newer_stmt(&mut self, choice: usize, depth: usize) {
        match choice {
            0 => {
                // FnMut: counts in an int or pushes onto a list; bound
                // without `mut` now and then (E0596).
                let m = self.rng.chance(80);
                if self.rng.chance(50)
                    && let Some(v) = self.pick(T::Int)
                {
                    let mv = if self.rng.chance(25) { "move " } else { "" };
                    let init = format!("{mv}|| {{ {} += 1; {} }}", v.name, v.name);
                    self.declare(T::MutClosure, "c", m, &init);
                } else if let Some(v) = self.pick(T::List) {
                    let init = format!("|| {{ {}.push(4); {}.len() }}", v.name, v.name);
                    self.declare(T::MutClosure, "c", m, &init);
                }
            }
            1 => {
                // FnOnce: moves a captured String out.
                if let Some(v) = self.pick(T::Str) {
                    let init = match self.rng.below(3) {
                        0 => format!("move || consume({})", v.name),
                        1 => format!("|| consume({})", v.name),
                        _ => format!("|| {{ let t = {}; t.len() }}", v.name),
                    };
                    self.declare(T::OnceClosure, "c", false, &init);
                }
            }
            2 => {
                let ty = [T::Closure, T::MutClosure, T::OnceClosure][self.rng.below(3)];
                if let Some(c) = self.pick(ty) {
                    self.line(&format!(
                        "println(\"{{}} {{}}\", {}(), {}());",
                        c.name, c.name
                    ));
                }
            }
            3 => {
                if let Some(v) = self.pick(T::Str) {
                    let w = self.word();
                    let init = format!("View {{ r: &{}, own: {w} }}", v.name);
                    self.declare(T::View, "v", false, &init);
                }
            }
            4 => {
                if let Some(v) = self.pick(T::View) {
                    let init = format!("{}.get()", v.name);
                    self.declare(T::RefStr, "q", false, &init);
                }
            }
            5 => {
                if let Some(v) = self.pick(T::View) {
                    if self.rng.chance(50) {
                        self.line(&format!("drop({});", v.name));
                    } else {
                        self.line(&format!("println(\"{{}}\", {}.total());", v.name));
                    }
                }
            }
            6 => {
                // Temporaries in `if` arms (extended) or passed through a
                // call (dropped at the end of the statement: E0716).
                let cond = match self.pick(T::Int) {
                    Some(v) => format!("{} > 2", v.name),
                    None => "2 > 1".into(),
                };
                let (a, b) = (self.rng.below(9), self.rng.below(9));
                let init = match self.rng.below(3) {
                    0 => format!("if {cond} {{ &make_rec({a}) }} else {{ &make_rec({b}) }}"),
                    1 => format!("rec_ref(&make_rec({a}))"),
                    _ => format!("&make_rec({a})"),
                };
                self.declare(T::RefRec, "e", false, &init);
            }
            7 => {
                if let Some(o) = self.pick(T::OptStr) {
                    let (a, b) = (self.rng.below(9), self.rng.below(9));
                    let init = format!(
                        "match &{} {{ Some(_) => &make_rec({a}), None => &make_rec({b}) }}",
                        o.name
                    );
                    self.declare(T::RefRec, "e", false, &init);
                } else {
                    let a = self.pick(T::Str);
                    let b = self.pick(T::Str);
                    if let (Some(a), Some(b)) = (a, b) {
                        let cond = match self.pick(T::Int) {
                            Some(v) => format!("{} > 2", v.name),
                            None => "1 > 2".into(),
                        };
                        let init = format!("if {cond} {{ &{} }} else {{ &{} }}", a.name, b.name);
                        self.declare(T::RefStr, "q", false, &init);
                    }
                }
            }
            8 => {
                let w = self.word();
                self.declare(T::GcNode, "g", false, &format!("node({w})"));
            }
            9 => {
                let a = self.pick(T::GcNode);
                let b = self.pick(T::GcNode);
                if let (Some(a), Some(b)) = (a, b) {
                    self.line(&format!("{}.kids.borrow_mut().push({});", a.name, b.name));
                }
            }
            10 => {
                if let Some(a) = self.pick(T::GcNode) {
                    if self.rng.chance(50) {
                        self.line(&format!("{}.hits.set({}.hits.get() + 1);", a.name, a.name));
                    } else {
                        self.line(&format!(
                            "println(\"{{}} {{}} {{}}\", {}.name, {}.kids.borrow().len(), {}.hits.get());",
                            a.name, a.name, a.name
                        ));
                    }
                }
            }
            11 => {
                // Walks the children while their list is borrowed; a
                // child that is the parent itself makes the push panic
                // (in both languages).
                let a = self.pick(T::GcNode);
                let b = self.pick(T::GcNode);
                if let (Some(a), Some(b)) = (a, b) {
                    let k = self.fresh("k");
                    let push = if self.rng.chance(30) && depth < 2 {
                        format!(" {k}.kids.borrow_mut().push({});", b.name)
                    } else {
                        String::new()
                    };
                    self.line(&format!(
                        "for {k} in {}.kids.borrow() {{ {k}.hits.set({k}.hits.get() + 1);{push} }}",
                        a.name
                    ));
                }
            }
            12 => {
                // A borrow held across another: panics when both are the
                // same cell.
                let a = self.pick(T::GcNode);
                let b = self.pick(T::GcNode);
                if let (Some(a), Some(b)) = (a, b) {
                    let k = self.fresh("b");
                    self.line("{");
                    self.indent += 1;
                    self.line(&format!("let {k} = {}.kids.borrow_mut();", a.name));
                    self.line(&format!(
                        "println(\"{{}}\", {}.kids.borrow().len());",
                        b.name
                    ));
                    self.line(&format!("{k}.push({});", b.name));
                    self.indent -= 1;
                    self.line("}");
                }
            }
            13 => {
                if let Some(v) = self.pick(T::RefRec) {
                    self.line(&format!(
                        "println(\"{{}} {{}}\", {}.n, {}.name);",
                        v.name, v.name
                    ));
                }
            }
            _ => {
                // A closure passed to a `fn() -> int` parameter (`Fn`) or a
                // `mut` one (`FnMut`): a closure variable of any kind, or a
                // literal whose body decides whether it fits (E0525, or
                // E0594/E0596/E0507 at the use inside it).
                let callee = if self.rng.chance(50) {
                    "call_fn"
                } else {
                    "call_mut"
                };
                let mut options: Vec<(T, String)> = Vec::new();
                if let Some(v) = self.pick(T::Int) {
                    options.push((
                        T::MutClosure,
                        format!("|| {{ {} += 1; {} }}", v.name, v.name),
                    ));
                    options.push((T::Closure, format!("|| {} * 2", v.name)));
                }
                if let Some(v) = self.pick(T::List) {
                    options.push((
                        T::MutClosure,
                        format!("|| {{ {}.push(4); {}.len() }}", v.name, v.name),
                    ));
                }
                if let Some(v) = self.pick(T::Str) {
                    options.push((T::OnceClosure, format!("move || consume({})", v.name)));
                    options.push((T::Closure, format!("|| peek(&{})", v.name)));
                }
                let literal = match options.len() {
                    0 => None,
                    n => Some(options.swap_remove(self.rng.below(n))),
                };
                // Written in the argument, or bound to a variable first (whose
                // kind is then already decided: E0525), or a closure variable
                // made earlier.
                let arg = match (literal, self.rng.below(3)) {
                    (Some((_, text)), 0) => Some(text),
                    (Some((ty, text)), 1) => {
                        let m = self.rng.chance(50);
                        Some(self.declare(ty, "c", m, &text))
                    }
                    (literal, _) => {
                        let ty = [T::Closure, T::MutClosure, T::OnceClosure][self.rng.below(3)];
                        self.pick(ty).map(|c| c.name).or(literal.map(|(_, t)| t))
                    }
                };
                if let Some(arg) = arg {
                    self.line(&format!("println(\"{{}}\", {callee}({arg}));"));
                }
            }
        }
    }

    fn block(&mut self, depth: usize) {
        self.indent += 1;
        self.scopes.push(Vec::new());
        let n = 1 + self.rng.below(3);
        for _ in 0..n {
            self.stmt(depth + 1);
        }
        self.use_borrows();
        self.scopes.pop();
        self.indent -= 1;
    }

    /// Uses some of the borrows made in the current scope after whatever
    /// came since, so that conflicting accesses in between matter.
    fn use_borrows(&mut self) {
        let held: Vec<Var> = self
            .scopes
            .last()
            .map(|s| {
                s.iter()
                    .filter(|v| {
                        matches!(
                            v.ty,
                            T::RefStr
                                | T::MutList
                                | T::Holder
                                | T::Closure
                                | T::MutClosure
                                | T::OnceClosure
                                | T::View
                                | T::RefRec
                        )
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        for v in held {
            if !self.rng.chance(55) {
                continue;
            }
            let text = match v.ty {
                T::RefStr => format!("println(\"{{}}\", {});", v.name),
                T::MutList => format!("{}.push(7);", v.name),
                T::Holder => format!("println(\"{{}}\", {}.r);", v.name),
                T::View => format!("println(\"{{}}\", {}.total());", v.name),
                T::RefRec => format!("println(\"{{}}\", {}.n);", v.name),
                _ => format!("println(\"{{}}\", {}());", v.name),
            };
            self.line(&text);
        }
    }
}

/// Renders a seed's program with a header naming the seed.
pub fn program_with_header(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut s = String::new();
    let _ = writeln!(s, "// difftest seed {seed}");
    s.push_str(&program(&mut rng));
    s
}
