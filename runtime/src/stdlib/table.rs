//! The surface of Ward's standard library as data: every std module, type,
//! function, method and constant with its Ward signature, the capability it
//! needs and a line of documentation. The compiler builds its view of `std`
//! from this table (it never names a std function in code); the VM binds
//! native implementations to the same entries, in table order.
//!
//! Signatures are written in Ward syntax without the `fn` keyword and name:
//! `"<U>(self, f: fn(T) -> U) -> Option<U>"`.

use crate::caps::Capability;
use crate::vm::{NativeFn, device, fhir, gc, hl7, json, natives, net, system, tasks, zones};

/// How the checker treats calls of a function beyond its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnKind {
    /// An ordinary function: its signature says everything.
    Plain,
    /// The first argument is a format string literal whose placeholders
    /// take the remaining arguments (`println("{} {:.1}", a, b)`); the
    /// arguments are borrowed, never moved.
    Format,
    /// Arguments are borrowed, never moved (`assert_eq`, `type_name`).
    BorrowsArgs,
    /// The function arguments run after the call returns, on a task of
    /// their own (`task::spawn`): a closure passed must be `'static`, and
    /// what it captures and the type arguments `Send`.
    Detaches,
    /// Values of the type arguments cross between tasks
    /// (`task::channel`): each must be `Send`.
    Sends,
}

/// Whether a std function may be called from real-time code (a
/// `#[realtime]` function or a zone's body; LANGUAGE.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realtime {
    /// No: it may block, allocate without a bound, or take unbounded time.
    No,
    /// Yes; the values it builds inside a zone come from the zone (`List`
    /// and `String` methods, `Pool::alloc`).
    Routed,
    /// Yes; what it allocates is its own state, never the zone's (device
    /// and clock access, non-blocking channel operations).
    Fit,
}

/// What runs when a program calls a std entry.
#[derive(Clone, Copy)]
pub enum Native {
    /// This function.
    Fn(NativeFn),
    /// Nothing at run time: the compiler computes the result
    /// (`type_name`).
    Intrinsic,
    /// Neither given nor marked: the table test rejects it.
    Missing,
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Native::Fn(_) => "Fn",
            Native::Intrinsic => "Intrinsic",
            Native::Missing => "Missing",
        })
    }
}

/// One std function or method: everything about it in one row, the
/// implementation included (`.native(…)` or `.intrinsic()` after the
/// constructor).
#[derive(Debug, Clone, Copy)]
pub struct StdFn {
    pub name: &'static str,
    /// Generics, parameters and return type: `"(path: &String) -> bool"`.
    pub sig: &'static str,
    pub cap: Option<Capability>,
    pub kind: FnKind,
    pub doc: &'static str,
    pub native: Native,
    /// Whether real-time code may call it.
    pub realtime: Realtime,
    /// A `Json` member read: its `json_get` mode (`vm::json::member_mode`
    /// constants). A call with a literal key compiles to an inline-cache
    /// site instead of a native call.
    pub member: Option<u8>,
    /// Its first argument after `self` is an HL7 terser path: a literal
    /// one is checked by `ward check` (W1004).
    pub hl7_path: bool,
}

impl StdFn {
    /// Implemented by `f`.
    const fn native(self, f: NativeFn) -> StdFn {
        StdFn {
            native: Native::Fn(f),
            ..self
        }
    }

    /// A `Json` member read in `json_get` mode `mode`.
    const fn member(self, mode: u8) -> StdFn {
        StdFn {
            member: Some(mode),
            ..self
        }
    }

    /// Takes an HL7 terser path first (after `self`).
    const fn hl7_path(self) -> StdFn {
        StdFn {
            hl7_path: true,
            ..self
        }
    }

    /// Fit for real-time code; inside a zone, what it builds comes from
    /// the zone.
    const fn rt(self) -> StdFn {
        StdFn {
            realtime: Realtime::Routed,
            ..self
        }
    }

    /// Fit for real-time code; it allocates nothing a zone should hold.
    const fn rt_fit(self) -> StdFn {
        StdFn {
            realtime: Realtime::Fit,
            ..self
        }
    }

    /// Computed by the compiler.
    const fn intrinsic(self) -> StdFn {
        StdFn {
            native: Native::Intrinsic,
            ..self
        }
    }
}

/// How a std type is defined.
#[derive(Debug, Clone, Copy)]
pub enum TypeDef {
    /// A built-in scalar or `String` (`int`, `float`, …): only methods here.
    Primitive,
    /// Implemented by the runtime; no literal can build it.
    Opaque,
    /// Implemented by the runtime, with fields readable by programs
    /// (`Error::kind`): a struct body in Ward syntax, `{ pub kind: String }`.
    OpaqueWithFields(&'static str),
    /// A plain struct programs build with a literal: a Ward struct body.
    Struct(&'static str),
    /// An enum: a Ward enum body, `{ Some(T), None }`.
    Enum(&'static str),
}

// The flags are independent yes/no facts of the language's table (§3).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy)]
pub struct StdType {
    pub name: &'static str,
    /// `"<T>"`, `"<K, V>"` or `""`.
    pub generics: &'static str,
    pub def: TypeDef,
    pub doc: &'static str,
    /// Copy regardless of type arguments (`Gc<T>` copies the pointer).
    /// Structs and enums are Copy by their fields instead (see `derive_copy`).
    pub copy: bool,
    /// For `Struct` and `Enum`: `#[derive(Copy, Clone)]`, Copy when every
    /// field is.
    pub derive_copy: bool,
    /// Send when every type argument is (false: never Send, as `Gc`).
    pub send: bool,
    /// Has the built-in `.clone()`.
    pub clone: bool,
    /// Printable with `{}`.
    pub display: bool,
    /// Comparable with `==` when its type arguments are (false for
    /// pointers, tasks and channels).
    pub eq: bool,
    /// `*x` and auto-deref give this type (`"T"` for `Gc<T>`).
    pub deref: Option<&'static str>,
    /// `for x in value` yields this type; `for x in &value` yields a
    /// reference to it (unless `iter_moves`).
    pub iter: Option<&'static str>,
    /// `for x in &value` yields values too: they are taken out of the
    /// value, not borrowed from it (a channel's receiver).
    pub iter_moves: bool,
    /// `value[i]`: the index type and the element type.
    pub index: Option<(&'static str, &'static str)>,
    /// Its type arguments must be `'static` (hold no references): the GC
    /// heap cannot track what a reference points to (`Gc<T>`, W0801).
    pub static_args: bool,
    pub methods: &'static [StdFn],
    /// Methods that exist only when the first type argument is a
    /// reference (`impl<T> Option<&T> { fn copied(self) -> Option<T> }`).
    pub ref_methods: &'static [StdFn],
}

#[derive(Debug, Clone, Copy)]
pub struct StdConst {
    pub name: &'static str,
    pub ty: &'static str,
    /// A Ward literal.
    pub value: &'static str,
    pub doc: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct StdModule {
    /// `""` for the prelude: what every program sees without a `use`.
    pub name: &'static str,
    pub doc: &'static str,
    pub types: &'static [StdType],
    pub fns: &'static [StdFn],
    pub consts: &'static [StdConst],
}

const fn f(name: &'static str, sig: &'static str, doc: &'static str) -> StdFn {
    StdFn {
        name,
        sig,
        cap: None,
        kind: FnKind::Plain,
        doc,
        native: Native::Missing,
        realtime: Realtime::No,
        member: None,
        hl7_path: false,
    }
}

const fn cap(name: &'static str, sig: &'static str, cap: Capability, doc: &'static str) -> StdFn {
    StdFn {
        name,
        sig,
        cap: Some(cap),
        kind: FnKind::Plain,
        doc,
        native: Native::Missing,
        realtime: Realtime::No,
        member: None,
        hl7_path: false,
    }
}

const fn fmt(name: &'static str, sig: &'static str, doc: &'static str) -> StdFn {
    StdFn {
        name,
        sig,
        cap: None,
        kind: FnKind::Format,
        doc,
        native: Native::Missing,
        realtime: Realtime::No,
        member: None,
        hl7_path: false,
    }
}

const fn borrows(name: &'static str, sig: &'static str, doc: &'static str) -> StdFn {
    StdFn {
        name,
        sig,
        cap: None,
        kind: FnKind::BorrowsArgs,
        doc,
        native: Native::Missing,
        realtime: Realtime::No,
        member: None,
        hl7_path: false,
    }
}

const fn detaches(name: &'static str, sig: &'static str, doc: &'static str) -> StdFn {
    StdFn {
        name,
        sig,
        cap: None,
        kind: FnKind::Detaches,
        doc,
        native: Native::Missing,
        realtime: Realtime::No,
        member: None,
        hl7_path: false,
    }
}

/// A type with no special behaviour; the fields below adjust it.
const BASE: StdType = StdType {
    name: "",
    generics: "",
    def: TypeDef::Opaque,
    doc: "",
    copy: false,
    derive_copy: false,
    send: true,
    clone: true,
    display: false,
    eq: true,
    deref: None,
    iter: None,
    iter_moves: false,
    index: None,
    static_args: false,
    methods: &[],
    ref_methods: &[],
};

const SCALAR: StdType = StdType {
    def: TypeDef::Primitive,
    copy: true,
    display: true,
    ..BASE
};

const INT_METHODS: &[StdFn] = &[
    f(
        "to_string",
        "(&self) -> String",
        "The decimal text of the number.",
    )
    .native(natives::to_string)
    .rt(),
    f(
        "abs",
        "(&self) -> int",
        "The absolute value; panics on overflow for the minimum.",
    )
    .native(natives::int_abs)
    .rt(),
    f(
        "pow",
        "(&self, exp: int) -> int",
        "Raises to a non-negative power; panics on overflow.",
    )
    .native(natives::int_pow)
    .rt(),
    f(
        "min",
        "(&self, other: int) -> int",
        "The smaller of the two.",
    )
    .native(natives::int_min)
    .rt(),
    f(
        "max",
        "(&self, other: int) -> int",
        "The larger of the two.",
    )
    .native(natives::int_max)
    .rt(),
    f("signum", "(&self) -> int", "-1, 0 or 1.")
        .native(natives::int_signum)
        .rt(),
];

const FLOAT_METHODS: &[StdFn] = &[
    f(
        "to_string",
        "(&self) -> String",
        "The shortest text that reads back as the same number.",
    )
    .native(natives::to_string)
    .rt(),
    f("abs", "(&self) -> float", "The absolute value.")
        .native(natives::f_abs)
        .rt(),
    f(
        "sqrt",
        "(&self) -> float",
        "The square root (NaN for negative numbers).",
    )
    .native(natives::f_sqrt)
    .rt(),
    f(
        "floor",
        "(&self) -> float",
        "Rounds toward negative infinity.",
    )
    .native(natives::f_floor)
    .rt(),
    f(
        "ceil",
        "(&self) -> float",
        "Rounds toward positive infinity.",
    )
    .native(natives::f_ceil)
    .rt(),
    f("round", "(&self) -> float", "Rounds half away from zero.")
        .native(natives::f_round)
        .rt(),
    f(
        "powi",
        "(&self, exp: int) -> float",
        "Raises to an integer power.",
    )
    .native(natives::f_powi)
    .rt(),
    f(
        "powf",
        "(&self, exp: float) -> float",
        "Raises to a float power.",
    )
    .native(natives::f_powf)
    .rt(),
    f(
        "min",
        "(&self, other: float) -> float",
        "The smaller of the two (ignores NaN).",
    )
    .native(natives::f_min)
    .rt(),
    f(
        "max",
        "(&self, other: float) -> float",
        "The larger of the two (ignores NaN).",
    )
    .native(natives::f_max)
    .rt(),
    f("is_nan", "(&self) -> bool", "Whether the value is NaN.")
        .native(natives::f_is_nan)
        .rt(),
];

const BOOL_METHODS: &[StdFn] = &[f("to_string", "(&self) -> String", "`true` or `false`.")
    .native(natives::to_string)
    .rt()];

const CHAR_METHODS: &[StdFn] = &[
    f("to_string", "(&self) -> String", "A one-character string.")
        .native(natives::to_string)
        .rt(),
    f(
        "is_digit",
        "(&self) -> bool",
        "Whether the char is an ASCII digit.",
    )
    .native(natives::c_is_digit)
    .rt(),
    f(
        "is_alphabetic",
        "(&self) -> bool",
        "Whether the char is alphabetic (Unicode).",
    )
    .native(natives::c_is_alphabetic)
    .rt(),
    f(
        "is_whitespace",
        "(&self) -> bool",
        "Whether the char is whitespace (Unicode).",
    )
    .native(natives::c_is_whitespace)
    .rt(),
    f(
        "is_uppercase",
        "(&self) -> bool",
        "Whether the char is uppercase (Unicode).",
    )
    .native(natives::c_is_uppercase)
    .rt(),
    f(
        "to_digit",
        "(&self, radix: int) -> Option<int>",
        "The digit's value in the radix, if it is one.",
    )
    .native(natives::c_to_digit)
    .rt(),
];

const STRING_METHODS: &[StdFn] = &[
    f("new", "() -> String", "An empty string.")
        .native(natives::s_new)
        .rt(),
    f(
        "from",
        "(text: &String) -> String",
        "A new string with the same text (Rust's `String::from`).",
    )
    .native(natives::s_from)
    .rt(),
    f("len", "(&self) -> int", "The length in UTF-8 bytes.")
        .native(natives::s_len)
        .rt(),
    f(
        "is_empty",
        "(&self) -> bool",
        "Whether the string has no bytes.",
    )
    .native(natives::s_is_empty)
    .rt(),
    f("push", "(&mut self, ch: char)", "Appends a char.")
        .native(natives::s_push)
        .rt(),
    f(
        "push_str",
        "(&mut self, text: &String)",
        "Appends a string.",
    )
    .native(natives::s_push_str)
    .rt(),
    f("chars", "(&self) -> Iter<char>", "The chars, in order.")
        .native(natives::s_chars)
        .rt(),
    f(
        "contains",
        "(&self, pattern: &String) -> bool",
        "Whether `pattern` occurs in the string.",
    )
    .native(natives::s_contains)
    .rt(),
    f(
        "starts_with",
        "(&self, prefix: &String) -> bool",
        "Whether the string begins with `prefix`.",
    )
    .native(natives::s_starts_with)
    .rt(),
    f(
        "ends_with",
        "(&self, suffix: &String) -> bool",
        "Whether the string ends with `suffix`.",
    )
    .native(natives::s_ends_with)
    .rt(),
    f(
        "find",
        "(&self, pattern: &String) -> Option<int>",
        "The byte index of the first occurrence of `pattern`.",
    )
    .native(natives::s_find)
    .rt(),
    f(
        "replace",
        "(&self, from: &String, to: &String) -> String",
        "A copy with every `from` replaced by `to`.",
    )
    .native(natives::s_replace)
    .rt(),
    f(
        "split",
        "(&self, separator: &String) -> List<String>",
        "The pieces between occurrences of `separator`.",
    )
    .native(natives::s_split)
    .rt(),
    f(
        "lines",
        "(&self) -> List<String>",
        "The lines, without their line endings.",
    )
    .native(natives::s_lines)
    .rt(),
    f(
        "trim",
        "(&self) -> String",
        "A copy without leading and trailing whitespace.",
    )
    .native(natives::s_trim)
    .rt(),
    f("to_upper", "(&self) -> String", "An uppercase copy.")
        .native(natives::s_to_upper)
        .rt(),
    f("to_lower", "(&self) -> String", "A lowercase copy.")
        .native(natives::s_to_lower)
        .rt(),
    f(
        "parse_int",
        "(&self) -> Result<int, Error>",
        "Reads a decimal integer (an optional sign, then digits).",
    )
    .native(natives::s_parse_int)
    .rt(),
    f(
        "parse_float",
        "(&self) -> Result<float, Error>",
        "Reads a float as Rust's `f64::from_str` does.",
    )
    .native(natives::s_parse_float)
    .rt(),
    f(
        "slice",
        "(&self, range: Range<int>) -> String",
        "The bytes in `range`; panics off a char boundary.",
    )
    .native(natives::s_slice)
    .rt(),
    f("to_string", "(&self) -> String", "A copy of the string.")
        .native(natives::to_string)
        .rt(),
];

const OPTION_METHODS: &[StdFn] = &[
    f("is_some", "(&self) -> bool", "Whether there is a value.")
        .native(natives::opt_is_some)
        .rt(),
    f("is_none", "(&self) -> bool", "Whether there is no value.")
        .native(natives::opt_is_none)
        .rt(),
    f("unwrap", "(self) -> T", "The value; panics on `None`.")
        .native(natives::opt_unwrap)
        .rt(),
    f(
        "expect",
        "(self, message: &String) -> T",
        "The value; panics with `message` on `None`.",
    )
    .native(natives::opt_expect)
    .rt(),
    f(
        "unwrap_or",
        "(self, default: T) -> T",
        "The value, or `default` on `None`.",
    )
    .native(natives::unwrap_or)
    .rt(),
    f(
        "take",
        "(&mut self) -> Option<T>",
        "Moves the value out, leaving `None`.",
    )
    .native(natives::opt_take)
    .rt(),
    f(
        "map",
        "<U>(self, f: fn(T) -> U) -> Option<U>",
        "Applies `f` to the value, if there is one.",
    )
    .native(natives::opt_map)
    .rt(),
    f(
        "and_then",
        "<U>(self, f: fn(T) -> Option<U>) -> Option<U>",
        "`f` of the value, or `None` on `None`.",
    )
    .native(natives::opt_and_then)
    .rt(),
    f(
        "unwrap_or_else",
        "(self, f: fn() -> T) -> T",
        "The value, or what `f` returns on `None` (`f` runs only then).",
    )
    .native(natives::opt_unwrap_or_else)
    .rt(),
    f(
        "is_some_and",
        "(self, f: fn(T) -> bool) -> bool",
        "Whether this is `Some` and `f` of the value is true.",
    )
    .native(natives::opt_is_some_and)
    .rt(),
    f(
        "or",
        "(self, other: Option<T>) -> Option<T>",
        "This option if it is `Some`, otherwise `other`.",
    )
    .native(natives::opt_or)
    .rt(),
    f(
        "ok_or",
        "<E>(self, error: E) -> Result<T, E>",
        "`Ok` with the value, or `Err(error)` on `None`.",
    )
    .native(natives::opt_ok_or)
    .rt(),
    f(
        "as_ref",
        "(&self) -> Option<&T>",
        "A borrow of the value, if there is one.",
    )
    .native(natives::opt_as_ref)
    .rt(),
];

const OPTION_REF_METHODS: &[StdFn] = &[
    f(
        "copied",
        "(self) -> Option<T>",
        "A copy of the value the reference points to, if there is one.",
    )
    .native(natives::copied)
    .rt(),
    f(
        "cloned",
        "(self) -> Option<T>",
        "A clone of the value the reference points to, if there is one.",
    )
    .native(natives::copied)
    .rt(),
];

const RESULT_REF_METHODS: &[StdFn] = &[
    f(
        "copied",
        "(self) -> Result<T, E>",
        "A copy of the `Ok` value the reference points to.",
    )
    .native(natives::copied)
    .rt(),
    f(
        "cloned",
        "(self) -> Result<T, E>",
        "A clone of the `Ok` value the reference points to.",
    )
    .native(natives::copied)
    .rt(),
];

const RESULT_METHODS: &[StdFn] = &[
    f("is_ok", "(&self) -> bool", "Whether this is `Ok`.")
        .native(natives::res_is_ok)
        .rt(),
    f("is_err", "(&self) -> bool", "Whether this is `Err`.")
        .native(natives::res_is_err)
        .rt(),
    f("unwrap", "(self) -> T", "The `Ok` value; panics on `Err`.")
        .native(natives::res_unwrap)
        .rt(),
    f(
        "expect",
        "(self, message: &String) -> T",
        "The `Ok` value; panics with `message` on `Err`.",
    )
    .native(natives::res_expect)
    .rt(),
    f(
        "unwrap_or",
        "(self, default: T) -> T",
        "The `Ok` value, or `default`.",
    )
    .native(natives::unwrap_or)
    .rt(),
    f(
        "map",
        "<U>(self, f: fn(T) -> U) -> Result<U, E>",
        "Applies `f` to the `Ok` value.",
    )
    .native(natives::res_map)
    .rt(),
    f(
        "map_err",
        "<F>(self, f: fn(E) -> F) -> Result<T, F>",
        "Applies `f` to the `Err` value.",
    )
    .native(natives::res_map_err)
    .rt(),
    f(
        "and_then",
        "<U>(self, f: fn(T) -> Result<U, E>) -> Result<U, E>",
        "`f` of the `Ok` value, or the `Err` unchanged.",
    )
    .native(natives::res_and_then)
    .rt(),
    f(
        "unwrap_or_else",
        "(self, f: fn(E) -> T) -> T",
        "The `Ok` value, or what `f` returns for the error (`f` runs only then).",
    )
    .native(natives::res_unwrap_or_else)
    .rt(),
    f(
        "ok",
        "(self) -> Option<T>",
        "The `Ok` value as an `Option`.",
    )
    .native(natives::res_ok)
    .rt(),
    f(
        "err",
        "(self) -> Option<E>",
        "The `Err` value as an `Option`.",
    )
    .native(natives::res_err)
    .rt(),
];

const LIST_METHODS: &[StdFn] = &[
    f("new", "() -> List<T>", "An empty list.")
        .native(natives::l_new)
        .rt(),
    f(
        "with_capacity",
        "(capacity: int) -> List<T>",
        "An empty list with room for `capacity` elements.",
    )
    .native(natives::l_with_capacity)
    .rt(),
    f("len", "(&self) -> int", "The number of elements.")
        .native(natives::l_len)
        .rt(),
    f(
        "is_empty",
        "(&self) -> bool",
        "Whether the list has no elements.",
    )
    .native(natives::l_is_empty)
    .rt(),
    f("push", "(&mut self, value: T)", "Appends an element.")
        .native(natives::l_push)
        .rt(),
    f(
        "pop",
        "(&mut self) -> Option<T>",
        "Removes and returns the last element.",
    )
    .native(natives::l_pop)
    .rt(),
    f(
        "insert",
        "(&mut self, index: int, value: T)",
        "Inserts at `index`, shifting later elements; panics past the end.",
    )
    .native(natives::l_insert)
    .rt(),
    f(
        "remove",
        "(&mut self, index: int) -> T",
        "Removes and returns the element at `index`; panics out of bounds.",
    )
    .native(natives::l_remove)
    .rt(),
    f(
        "get",
        "(&self, index: int) -> Option<&T>",
        "A borrow of the element at `index`, if any.",
    )
    .native(natives::l_get)
    .rt(),
    f(
        "get_mut",
        "(&mut self, index: int) -> Option<&mut T>",
        "A unique borrow of the element at `index`, if any.",
    )
    .native(natives::l_get)
    .rt(),
    f(
        "first",
        "(&self) -> Option<&T>",
        "The first element, if any.",
    )
    .native(natives::l_first)
    .rt(),
    f("last", "(&self) -> Option<&T>", "The last element, if any.")
        .native(natives::l_last)
        .rt(),
    f(
        "contains",
        "(&self, value: &T) -> bool",
        "Whether an element equals `value`.",
    )
    .native(natives::l_contains)
    .rt(),
    f("clear", "(&mut self)", "Removes every element.")
        .native(natives::l_clear)
        .rt(),
    f("sort", "(&mut self)", "Sorts in ascending order (stable).")
        .native(natives::l_sort)
        .rt(),
    f("reverse", "(&mut self)", "Reverses the order in place.")
        .native(natives::l_reverse)
        .rt(),
    f("swap", "(&mut self, a: int, b: int)", "Swaps two elements.")
        .native(natives::l_swap)
        .rt(),
    f(
        "truncate",
        "(&mut self, len: int)",
        "Keeps the first `len` elements.",
    )
    .native(natives::l_truncate)
    .rt(),
    f(
        "slice",
        "(&self, range: Range<int>) -> List<T>",
        "A copy of the elements in `range`.",
    )
    .native(natives::l_slice)
    .rt(),
    f(
        "iter",
        "(&self) -> Iter<&T>",
        "Borrows each element in order.",
    )
    .native(natives::l_iter)
    .rt(),
    f(
        "iter_mut",
        "(&mut self) -> Iter<&mut T>",
        "Borrows each element uniquely, in order.",
    )
    .native(natives::l_iter)
    .rt(),
];

const MAP_METHODS: &[StdFn] = &[
    f("new", "() -> Map<K, V>", "An empty map.").native(natives::m_new),
    f(
        "insert",
        "(&mut self, key: K, value: V) -> Option<V>",
        "Inserts or replaces; returns the old value.",
    )
    .native(natives::m_insert),
    f(
        "get",
        "(&self, key: &K) -> Option<&V>",
        "A borrow of the value for `key`.",
    )
    .native(natives::m_get),
    f(
        "get_mut",
        "(&mut self, key: &K) -> Option<&mut V>",
        "A unique borrow of the value for `key`.",
    )
    .native(natives::m_get),
    f(
        "contains_key",
        "(&self, key: &K) -> bool",
        "Whether `key` has a value.",
    )
    .native(natives::m_contains_key),
    f(
        "remove",
        "(&mut self, key: &K) -> Option<V>",
        "Removes and returns the value for `key`.",
    )
    .native(natives::m_remove),
    f("len", "(&self) -> int", "The number of entries.").native(natives::m_len),
    f(
        "is_empty",
        "(&self) -> bool",
        "Whether the map has no entries.",
    )
    .native(natives::m_is_empty),
    f(
        "keys",
        "(&self) -> Iter<&K>",
        "The keys, in insertion order.",
    )
    .native(natives::m_keys),
    f(
        "values",
        "(&self) -> Iter<&V>",
        "The values, in insertion order.",
    )
    .native(natives::m_values),
    f("clear", "(&mut self)", "Removes every entry.").native(natives::m_clear),
];

const PRELUDE_TYPES: &[StdType] = &[
    StdType {
        name: "int",
        doc: "A 64-bit signed integer; overflow panics.",
        methods: INT_METHODS,
        ..SCALAR
    },
    StdType {
        name: "float",
        doc: "A 64-bit IEEE 754 float.",
        methods: FLOAT_METHODS,
        ..SCALAR
    },
    StdType {
        name: "bool",
        doc: "`true` or `false`.",
        methods: BOOL_METHODS,
        ..SCALAR
    },
    StdType {
        name: "char",
        doc: "A Unicode scalar value.",
        methods: CHAR_METHODS,
        ..SCALAR
    },
    StdType {
        name: "String",
        doc: "An owned, growable UTF-8 string.",
        def: TypeDef::Primitive,
        display: true,
        methods: STRING_METHODS,
        ..BASE
    },
    StdType {
        name: "Option",
        generics: "<T>",
        def: TypeDef::Enum("{ Some(T), None }"),
        doc: "An optional value: `Some(value)` or `None`.",
        derive_copy: true,
        methods: OPTION_METHODS,
        ref_methods: OPTION_REF_METHODS,
        ..BASE
    },
    StdType {
        name: "Result",
        generics: "<T, E>",
        def: TypeDef::Enum("{ Ok(T), Err(E) }"),
        doc: "Success with a value (`Ok`) or failure with an error (`Err`).",
        derive_copy: true,
        methods: RESULT_METHODS,
        ref_methods: RESULT_REF_METHODS,
        ..BASE
    },
    StdType {
        name: "List",
        generics: "<T>",
        doc: "An owned, growable vector.",
        iter: Some("T"),
        index: Some(("int", "T")),
        methods: LIST_METHODS,
        ..BASE
    },
    StdType {
        name: "Map",
        generics: "<K, V>",
        doc: "An owned hash map that iterates in insertion order.",
        iter: Some("(K, V)"),
        index: Some(("K", "V")),
        methods: MAP_METHODS,
        ..BASE
    },
    StdType {
        name: "Range",
        generics: "<T>",
        doc: "The values from a start up to (or through) an end: `a..b`, `a..=b`.",
        iter: Some("T"),
        methods: &[f(
            "contains",
            "(&self, value: &T) -> bool",
            "Whether `value` lies in the range.",
        ).native(natives::range_contains).rt()],
        ..BASE
    },
    StdType {
        name: "Iter",
        eq: false,
        generics: "<T>",
        doc: "A one-pass sequence of values, consumed by `for`.",
        iter: Some("T"),
        clone: false,
        methods: &[
            f(
                "count",
                "(self) -> int",
                "Consumes the sequence and counts its values.",
            ).native(natives::it_count).rt(),
            f(
                "collect",
                "(self) -> List<T>",
                "Consumes the sequence into a list.",
            ).native(natives::it_collect).rt(),
        ],
        ..BASE
    },
    StdType {
        name: "Error",
        def: TypeDef::OpaqueWithFields(
            "{ pub kind: String, pub message: String, pub location: String, pub cause: Option<Error> }",
        ),
        doc: "A recoverable error: a kind, a message, where it was made and what caused it.",
        display: true,
        methods: &[
            f(
                "context",
                "(self, message: &String) -> Error",
                "Wraps the error with a message saying what was being done.",
            ).native(natives::e_context),
            f(
                "to_string",
                "(&self) -> String",
                "The error chain as text, with locations.",
            ).native(natives::to_string),
        ],
        ..BASE
    },
    StdType {
        name: "Panic",
        def: TypeDef::OpaqueWithFields(
            "{ pub message: String, pub location: String, pub backtrace: String }",
        ),
        doc: "A caught panic, as `try { … } recover e { … }` binds it.",
        display: true,
        methods: &[f(
            "to_string",
            "(&self) -> String",
            "The message and location.",
        ).native(natives::to_string)],
        ..BASE
    },
    StdType {
        name: "Gc",
        eq: false,
        static_args: true,
        generics: "<T>",
        doc: "A pointer into the task's garbage-collected heap; copying it copies the pointer.",
        copy: true,
        send: false,
        deref: Some("T"),
        methods: &[
            f(
                "new",
                "(value: T) -> Gc<T>",
                "Moves `value` into the GC heap.",
            ).native(gc::gc_new),
            f(
                "downgrade",
                "(this: &Gc<T>) -> Weak<T>",
                "A weak pointer that does not keep the object alive.",
            ).native(gc::gc_downgrade),
            f(
                "with_finalizer",
                "(value: T, finalizer: fn(T)) -> Gc<T>",
                "Like `new`; after collection, `finalizer` receives the value by move, exactly once.",
            ).native(gc::gc_with_finalizer),
        ],
        ..BASE
    },
    StdType {
        name: "Weak",
        eq: false,
        generics: "<T>",
        doc: "A weak pointer to a GC object.",
        copy: true,
        send: false,
        methods: &[f(
            "upgrade",
            "(&self) -> Option<Gc<T>>",
            "The object, or `None` once it has been collected.",
        ).native(gc::weak_upgrade)],
        ..BASE
    },
    StdType {
        name: "RefCell",
        generics: "<T>",
        doc: "Interior mutability with borrows checked at run time.",
        send: false,
        methods: &[
            f("new", "(value: T) -> RefCell<T>", "Wraps a value.").native(gc::refcell_new),
            f(
                "borrow",
                "(&self) -> &T",
                "A shared borrow; panics while a unique borrow is live.",
            ).native(gc::refcell_borrow),
            f(
                "borrow_mut",
                "(&self) -> &mut T",
                "A unique borrow; panics while any borrow is live, naming both places.",
            ).native(gc::refcell_borrow_mut),
            f(
                "try_borrow_mut",
                "(&self) -> Result<&mut T, Error>",
                "A unique borrow, or `Err` while any borrow is live.",
            ).native(gc::refcell_try_borrow_mut),
            f(
                "replace",
                "(&self, value: T) -> T",
                "Swaps in a new value and returns the old one.",
            ).native(gc::refcell_replace),
            f("into_inner", "(self) -> T", "Unwraps the value.").native(gc::cell_into_inner),
        ],
        ..BASE
    },
    StdType {
        name: "Cell",
        generics: "<T>",
        doc: "Interior mutability for Copy values.",
        send: false,
        methods: &[
            f("new", "(value: T) -> Cell<T>", "Wraps a value.").native(gc::cell_new),
            f("get", "(&self) -> T", "A copy of the value.").native(gc::cell_get),
            f("set", "(&self, value: T)", "Replaces the value.").native(gc::cell_set),
            f(
                "replace",
                "(&self, value: T) -> T",
                "Swaps in a new value and returns the old one.",
            ).native(gc::cell_replace),
        ],
        ..BASE
    },
    StdType {
        name: "Pool",
        eq: false,
        generics: "<T>",
        doc: "A fixed-capacity pool: O(1) allocation and release with a bounded worst case.",
        send: false,
        clone: false,
        methods: &[
            f(
                "new",
                "(capacity: int) -> Pool<T>",
                "A pool of exactly `capacity` slots.",
            ).native(zones::pool_new),
            f(
                "growable",
                "(capacity: int) -> Pool<T>",
                "A pool that doubles when full; not for real-time code.",
            ).native(zones::pool_growable),
            f(
                "alloc",
                "(&self, value: T) -> Result<Pooled<T>, Error>",
                "Moves `value` into a free slot; `Err(PoolExhausted)` when full.",
            ).native(zones::pool_alloc).rt(),
            f("capacity", "(&self) -> int", "The number of slots.").native(zones::pool_capacity).rt(),
            f("in_use", "(&self) -> int", "The number of occupied slots.").native(zones::pool_in_use).rt(),
        ],
        ..BASE
    },
    StdType {
        name: "Pooled",
        eq: false,
        generics: "<T>",
        doc: "A value in a pool slot; dropping it frees the slot.",
        send: false,
        clone: false,
        deref: Some("T"),
        ..BASE
    },
    StdType {
        name: "Json",
        doc: "A JSON value: null, bool, number, string, array or object. Objects keep their keys in order and share hidden classes.",
        display: true,
        methods: &[
            f("null", "() -> Json", "`null`.").native(json::null),
            f("object", "() -> Json", "An empty object.").native(json::object),
            f("array", "() -> Json", "An empty array.").native(json::array),
            f("from_int", "(n: int) -> Json", "A number.").native(json::from_int),
            f("from_float", "(x: float) -> Json", "A number (NaN and infinities print `null`).")
                .native(json::from_float),
            f("from_bool", "(b: bool) -> Json", "`true` or `false`.").native(json::from_bool),
            f("from_string", "(s: &String) -> Json", "A string.").native(json::from_string),
            f("from_list", "(items: List<Json>) -> Json", "An array of these values.")
                .native(json::from_list),
            f(
                "get",
                "(&self, key: &String) -> Option<Json>",
                "The member `key` of an object.",
            )
            .native(json::get)
            .member(json::MEMBER_GET),
            f(
                "index",
                "(&self, i: int) -> Option<Json>",
                "The element `i` of an array.",
            )
            .native(json::index),
            f(
                "get_string",
                "(&self, key: &String) -> Option<String>",
                "The member `key`, if it is a string.",
            )
            .native(json::get_string)
            .member(json::MEMBER_STRING),
            f(
                "get_int",
                "(&self, key: &String) -> Option<int>",
                "The member `key`, if it is an integer.",
            )
            .native(json::get_int)
            .member(json::MEMBER_INT),
            f(
                "get_float",
                "(&self, key: &String) -> Option<float>",
                "The member `key`, if it is a number.",
            )
            .native(json::get_float)
            .member(json::MEMBER_FLOAT),
            f(
                "get_bool",
                "(&self, key: &String) -> Option<bool>",
                "The member `key`, if it is a bool.",
            )
            .native(json::get_bool)
            .member(json::MEMBER_BOOL),
            f(
                "as_int",
                "(&self) -> Option<int>",
                "The value as an integer, if it is one (`2.0` is).",
            )
            .native(json::as_int),
            f(
                "as_float",
                "(&self) -> Option<float>",
                "The value as a float, if it is a number.",
            )
            .native(json::as_float),
            f(
                "as_string",
                "(&self) -> Option<String>",
                "The value as a string, if it is one.",
            )
            .native(json::as_string),
            f(
                "as_bool",
                "(&self) -> Option<bool>",
                "The value as a bool, if it is one.",
            )
            .native(json::as_bool),
            f(
                "as_list",
                "(&self) -> Option<List<Json>>",
                "The elements, if it is an array.",
            )
            .native(json::as_list),
            f("is_null", "(&self) -> bool", "Whether the value is `null`.").native(json::is_null),
            f("is_bool", "(&self) -> bool", "Whether the value is a bool.").native(json::is_bool),
            f("is_number", "(&self) -> bool", "Whether the value is a number.")
                .native(json::is_number),
            f("is_string", "(&self) -> bool", "Whether the value is a string.")
                .native(json::is_string),
            f("is_array", "(&self) -> bool", "Whether the value is an array.")
                .native(json::is_array),
            f("is_object", "(&self) -> bool", "Whether the value is an object.")
                .native(json::is_object),
            f(
                "kind",
                "(&self) -> String",
                "`\"null\"`, `\"bool\"`, `\"number\"`, `\"string\"`, `\"array\"` or `\"object\"`.",
            )
            .native(json::kind),
            f(
                "keys",
                "(&self) -> List<String>",
                "An object's keys in order (empty for anything else).",
            )
            .native(json::keys),
            f(
                "len",
                "(&self) -> int",
                "Members of an object or elements of an array (0 for anything else).",
            )
            .native(json::len),
            f(
                "contains_key",
                "(&self, key: &String) -> bool",
                "Whether an object has the member `key`.",
            )
            .native(json::contains_key)
            .member(json::MEMBER_CONTAINS),
            f(
                "set",
                "(&mut self, key: &String, value: Json)",
                "Sets a member of an object (in place, or added last); panics on anything but an object.",
            )
            .native(json::set),
            f(
                "push",
                "(&mut self, value: Json)",
                "Appends to an array; panics on anything but an array.",
            )
            .native(json::push),
            f(
                "remove",
                "(&mut self, key: &String) -> Option<Json>",
                "Removes a member of an object.",
            )
            .native(json::remove),
            f("to_string", "(&self) -> String", "Compact JSON text.").native(json::stringify),
            f(
                "to_pretty",
                "(&self) -> String",
                "JSON text indented by two spaces.",
            )
            .native(json::pretty),
        ],
        ..BASE
    },
    StdType {
        name: "Task",
        eq: false,
        generics: "<T>",
        doc: "A running task and the value it will produce.",
        clone: false,
        methods: &[f(
            "join",
            "(self) -> Result<T, Error>",
            "Waits for the task; `Err(TaskPanicked)` if it panicked.",
        )
        .native(tasks::task_join)],
        ..BASE
    },
    StdType {
        name: "Sender",
        eq: false,
        generics: "<T>",
        doc: "The sending half of a channel.",
        methods: &[
            f(
                "send",
                "(&self, value: T) -> Result<(), Error>",
                "Moves `value` into the channel, waiting for room; `Err(Disconnected)` once the receiver is gone.",
            )
            .native(tasks::sender_send),
            f(
                "try_send",
                "(&self, value: T) -> Result<(), Error>",
                "Sends without waiting; `Err(Full)` when there is no room.",
            )
            .native(tasks::sender_try_send).rt_fit(),
        ],
        ..BASE
    },
    StdType {
        name: "Receiver",
        eq: false,
        generics: "<T>",
        doc: "The receiving half of a channel; `for` over it ends when every sender is dropped. Clones receive from the same channel (each value goes to one of them), so several tasks can share the work.",
        iter: Some("T"),
        iter_moves: true,
        methods: &[
            f(
                "recv",
                "(&self) -> Result<T, Error>",
                "Waits for a value; `Err(Disconnected)` once every sender is gone.",
            )
            .native(tasks::receiver_recv),
            f(
                "try_recv",
                "(&self) -> Option<T>",
                "A value if one is waiting.",
            )
            .native(tasks::receiver_try_recv).rt_fit(),
            f(
                "recv_timeout",
                "(&self, ms: int) -> Result<T, Error>",
                "Waits at most `ms` milliseconds; `Err(Timeout)` after.",
            )
            .native(tasks::receiver_recv_timeout),
        ],
        ..BASE
    },
    StdType {
        name: "Cap",
        def: TypeDef::Enum("{ Fs, Net, Proc, Clock, Device, Env }"),
        doc: "A capability: a part of the outside world a task may touch.",
        derive_copy: true,
        ..BASE
    },
    StdType {
        name: "Priority",
        def: TypeDef::Enum("{ High, Normal, Low }"),
        doc: "A task's scheduling priority.",
        derive_copy: true,
        ..BASE
    },
    StdType {
        name: "TaskOptions",
        def: TypeDef::Struct("{ pub priority: Priority, pub caps: &'static [Cap] }"),
        doc: "How `task::spawn_with` starts a task: its priority and capabilities (intersected with the parent's).",
        ..BASE
    },
    StdType {
        name: "GcMode",
        def: TypeDef::Enum("{ Default, Throughput, LowLatency, Memory, Batch }"),
        doc: "A preset of collector parameters.",
        derive_copy: true,
        ..BASE
    },
    StdType {
        name: "GcConfig",
        def: TypeDef::Struct(
            "{ pub mode: GcMode, pub pause_target_us: int, pub young_bytes: int, pub max_heap_bytes: int }",
        ),
        doc: "Collector settings for `gc::configure`.",
        derive_copy: true,
        ..BASE
    },
    StdType {
        name: "GcStats",
        def: TypeDef::OpaqueWithFields(
            "{ pub collections: int, pub young_collections: int, pub old_collections: int, pub pause_total_us: int, \
             pub pause_max_us: int, pub pause_p99_us: int, pub bytes_allocated: int, pub bytes_freed: int, \
             pub heap_bytes: int, pub fragmentation: float }",
        ),
        doc: "What the collector has done so far in this task.",
        ..BASE
    },
];

const PRELUDE_FNS: &[StdFn] = &[
    fmt(
        "print",
        "(format: &String)",
        "Prints formatted text to standard output.",
    )
    .native(natives::print),
    fmt(
        "println",
        "(format: &String)",
        "Prints formatted text and a newline to standard output.",
    )
    .native(natives::println),
    fmt(
        "eprintln",
        "(format: &String)",
        "Prints formatted text and a newline to standard error.",
    )
    .native(natives::eprintln),
    fmt(
        "format",
        "(format: &String) -> String",
        "Formats text into a new string.",
    )
    .native(natives::format)
    .rt(),
    fmt(
        "panic",
        "(format: &String) -> !",
        "Unwinds the task with a formatted message.",
    )
    .native(natives::panic)
    .rt_fit(),
    f(
        "assert",
        "(condition: bool)",
        "Panics when `condition` is false.",
    )
    .native(natives::assert)
    .rt_fit(),
    borrows(
        "assert_eq",
        "<T>(left: T, right: T)",
        "Panics, showing both values, when they differ.",
    )
    .native(natives::assert_eq)
    .rt_fit(),
    f("drop", "<T>(value: T)", "Drops `value` now.")
        .native(natives::drop_value)
        .rt_fit(),
    f(
        "error",
        "(kind: &String, message: &String) -> Error",
        "Makes an `Error`, recording where it was made.",
    )
    .native(natives::error)
    .rt_fit(),
    borrows(
        "type_name",
        "<T>(value: T) -> String",
        "The name of the value's type.",
    )
    .intrinsic(),
];

const IO_FNS: &[StdFn] = &[f(
    "read_line",
    "() -> Option<String>",
    "The next line of standard input without its newline, or `None` at the end.",
)
.native(natives::read_line)];

const FS_FNS: &[StdFn] = &[
    cap(
        "read",
        "(path: &String) -> Result<String, Error>",
        Capability::Fs,
        "Reads a whole file as UTF-8 text.",
    )
    .native(natives::fs_read),
    cap(
        "write",
        "(path: &String, text: &String) -> Result<(), Error>",
        Capability::Fs,
        "Creates or replaces a file.",
    )
    .native(natives::fs_write),
    cap(
        "append",
        "(path: &String, text: &String) -> Result<(), Error>",
        Capability::Fs,
        "Appends to a file, creating it if needed.",
    )
    .native(natives::fs_append),
    cap(
        "exists",
        "(path: &String) -> bool",
        Capability::Fs,
        "Whether a file or directory exists.",
    )
    .native(natives::fs_exists),
    cap(
        "lines",
        "(path: &String) -> Result<List<String>, Error>",
        Capability::Fs,
        "Reads a file as lines.",
    )
    .native(natives::fs_lines),
];

const NET_TYPES: &[StdType] = &[
    StdType {
        name: "TcpStream",
        doc: "A TCP connection. Reads and writes wait without holding a worker.",
        clone: false,
        eq: false,
        display: true,
        methods: &[
            cap(
                "read",
                "(&mut self) -> Result<String, Error>",
                Capability::Net,
                "Waits for text and returns what has arrived (up to 64 KiB; empty at the end of the stream). A character cut by the read's end comes with the next read.",
            )
            .native(net::read),
            cap(
                "read_bytes",
                "(&mut self) -> Result<List<int>, Error>",
                Capability::Net,
                "Waits for bytes and returns what has arrived, each 0 to 255 (empty at the end of the stream).",
            )
            .native(net::read_bytes),
            cap(
                "write",
                "(&mut self, data: &String) -> Result<(), Error>",
                Capability::Net,
                "Writes all of `data`.",
            )
            .native(net::write),
            cap(
                "write_bytes",
                "(&mut self, data: &List<int>) -> Result<(), Error>",
                Capability::Net,
                "Writes all of `data`, each element a byte (0 to 255).",
            )
            .native(net::write_bytes),
            f(
                "set_timeout",
                "(&mut self, ms: int)",
                "How long a read or write may wait before an `Err` of kind `TimedOut` (0: no limit).",
            )
            .native(net::set_timeout),
            f(
                "peer_addr",
                "(&self) -> String",
                "The address of the other end, `host:port`.",
            )
            .native(net::peer_addr),
            f(
                "local_addr",
                "(&self) -> String",
                "This end's address, `host:port`.",
            )
            .native(net::stream_local_addr),
            f("close", "(self)", "Closes the connection.").native(net::close),
        ],
        ..BASE
    },
    StdType {
        name: "TcpListener",
        doc: "A listening TCP socket.",
        clone: false,
        eq: false,
        display: true,
        methods: &[
            cap(
                "accept",
                "(&self) -> Result<TcpStream, Error>",
                Capability::Net,
                "Waits for the next connection.",
            )
            .native(net::accept),
            cap(
                "accept_timeout",
                "(&self, ms: int) -> Result<TcpStream, Error>",
                Capability::Net,
                "Waits at most `ms` milliseconds for the next connection (`TimedOut` after).",
            )
            .native(net::accept_timeout),
            f(
                "local_addr",
                "(&self) -> String",
                "The address it listens on, with the port the system chose for port 0.",
            )
            .native(net::listener_local_addr),
            f(
                "port",
                "(&self) -> int",
                "The port it listens on.",
            )
            .native(net::listener_port),
        ],
        ..BASE
    },
];

const NET_FNS: &[StdFn] = &[
    cap(
        "connect",
        "(address: &String) -> Result<TcpStream, Error>",
        Capability::Net,
        "Opens a TCP connection to `host:port`.",
    )
    .native(net::connect),
    cap(
        "connect_timeout",
        "(address: &String, ms: int) -> Result<TcpStream, Error>",
        Capability::Net,
        "Opens a TCP connection, waiting at most `ms` milliseconds (`TimedOut` after).",
    )
    .native(net::connect_timeout),
    cap(
        "listen",
        "(address: &String) -> Result<TcpListener, Error>",
        Capability::Net,
        "Listens for TCP connections on `host:port` (port 0: one the system picks; see `port`).",
    )
    .native(net::listen),
];

const TIME_TYPES: &[StdType] = &[
    StdType {
        name: "Instant",
        doc: "A point in monotonic time.",
        copy: true,
        display: true,
        methods: &[
            f(
                "elapsed_ms",
                "(&self) -> int",
                "Milliseconds since this instant.",
            )
            .native(natives::time_elapsed_ms)
            .rt_fit(),
            f(
                "elapsed_us",
                "(&self) -> int",
                "Microseconds since this instant.",
            )
            .native(natives::time_elapsed_us)
            .rt_fit(),
            f(
                "to_string",
                "(&self) -> String",
                "The instant as seconds since the runtime started.",
            )
            .native(natives::time_to_string)
            .rt(),
        ],
        ..BASE
    },
    StdType {
        name: "DateTime",
        doc: "A point in wall-clock time, UTC, to the millisecond.",
        display: true,
        methods: &[
            f(
                "from_unix_ms",
                "(ms: int) -> DateTime",
                "The instant `ms` milliseconds after 1970-01-01T00:00:00Z.",
            )
            .native(system::from_unix_ms),
            f(
                "unix_ms",
                "(&self) -> int",
                "Milliseconds since 1970-01-01T00:00:00Z.",
            )
            .native(system::unix_ms),
            f(
                "to_hl7",
                "(&self) -> String",
                "HL7 v2 `TS` to the second: `20261205183000`.",
            )
            .native(system::to_hl7),
            f(
                "to_iso8601",
                "(&self) -> String",
                "ISO 8601 with milliseconds: `2026-12-05T18:30:00.000Z`.",
            )
            .native(system::to_iso8601),
            f(
                "to_string",
                "(&self) -> String",
                "ISO 8601, as `to_iso8601`.",
            )
            .native(system::to_iso8601),
            f("year", "(&self) -> int", "The year.").native(system::year),
            f("month", "(&self) -> int", "The month, 1 to 12.").native(system::month),
            f("day", "(&self) -> int", "The day of the month, 1 to 31.").native(system::day),
            f("hour", "(&self) -> int", "The hour, 0 to 23.").native(system::hour),
            f("minute", "(&self) -> int", "The minute, 0 to 59.").native(system::minute),
            f("second", "(&self) -> int", "The second, 0 to 59.").native(system::second),
            f(
                "millisecond",
                "(&self) -> int",
                "The millisecond, 0 to 999.",
            )
            .native(system::millisecond),
        ],
        ..BASE
    },
];

const ENV_FNS: &[StdFn] = &[
    cap(
        "args",
        "() -> List<String>",
        Capability::Env,
        "The program's arguments: what follows `--` on `ward run`'s command line.",
    )
    .native(system::env_args),
    cap(
        "var",
        "(name: &String) -> Option<String>",
        Capability::Env,
        "An environment variable (`None` when unset or not Unicode).",
    )
    .native(system::env_var),
    cap(
        "vars",
        "() -> Map<String, String>",
        Capability::Env,
        "Every environment variable whose name and value are Unicode, by name.",
    )
    .native(system::env_vars),
];

const TIME_FNS: &[StdFn] = &[
    cap(
        "now_utc",
        "() -> DateTime",
        Capability::Clock,
        "The wall clock now, in UTC.",
    )
    .native(system::now_utc),
    cap(
        "now",
        "() -> Instant",
        Capability::Clock,
        "The current instant.",
    )
    .native(natives::time_now)
    .rt_fit(),
    cap(
        "sleep",
        "(ms: int)",
        Capability::Clock,
        "Parks the task for `ms` milliseconds.",
    )
    .native(tasks::time_sleep),
];

const MATH_FNS: &[StdFn] = &[
    f("sqrt", "(x: float) -> float", "The square root.")
        .native(natives::f_sqrt)
        .rt(),
    f(
        "pow",
        "(base: float, exp: float) -> float",
        "`base` raised to `exp`.",
    )
    .native(natives::f_powf)
    .rt(),
    f("abs", "(x: float) -> float", "The absolute value.")
        .native(natives::f_abs)
        .rt(),
    f(
        "floor",
        "(x: float) -> float",
        "Rounds toward negative infinity.",
    )
    .native(natives::f_floor)
    .rt(),
    f(
        "ceil",
        "(x: float) -> float",
        "Rounds toward positive infinity.",
    )
    .native(natives::f_ceil)
    .rt(),
    f(
        "round",
        "(x: float) -> float",
        "Rounds half away from zero.",
    )
    .native(natives::f_round)
    .rt(),
    f(
        "min",
        "(a: float, b: float) -> float",
        "The smaller of two floats.",
    )
    .native(natives::f_min)
    .rt(),
    f(
        "max",
        "(a: float, b: float) -> float",
        "The larger of two floats.",
    )
    .native(natives::f_max)
    .rt(),
    f("exp", "(x: float) -> float", "e raised to `x`.")
        .native(natives::f_exp)
        .rt(),
    f("ln", "(x: float) -> float", "The natural logarithm.")
        .native(natives::f_ln)
        .rt(),
];

const MATH_CONSTS: &[StdConst] = &[
    StdConst {
        name: "PI",
        ty: "float",
        value: "3.141592653589793",
        doc: "The ratio of a circle's circumference to its diameter.",
    },
    StdConst {
        name: "E",
        ty: "float",
        value: "2.718281828459045",
        doc: "Euler's number.",
    },
    StdConst {
        name: "INT_MAX",
        ty: "int",
        value: "9223372036854775807",
        doc: "The largest `int`.",
    },
];

const JSON_FNS: &[StdFn] = &[
    f(
        "parse",
        "(text: &String) -> Result<Json, Error>",
        "Parses JSON text (RFC 8259); an `Err` of kind `JsonError` says what was expected where.",
    )
    .native(json::parse),
    f(
        "stringify",
        "(value: &Json) -> String",
        "Compact JSON text.",
    )
    .native(json::stringify),
    f(
        "pretty",
        "(value: &Json) -> String",
        "JSON text indented by two spaces.",
    )
    .native(json::pretty),
];

const HL7_TYPES: &[StdType] = &[
    StdType {
        name: "Message",
        doc: "An HL7 v2 message; unchanged parts write back byte for byte.",
        display: true,
        methods: &[
            f(
                "new",
                "() -> Message",
                "A message with only `MSH|^~\\&`, to fill in with `set`.",
            )
            .native(hl7::new_message),
            f(
                "get",
                "(&self, path: &String) -> Option<String>",
                "The value at a terser path (`PID-5-1`, `OBX(2)-5`, `PID-3(2)-1`; positions from 1), unescaped; `None` when absent or empty, `\"\"` for the null value.",
            )
            .native(hl7::get)
            .hl7_path(),
            f(
                "is_null",
                "(&self, path: &String) -> bool",
                "Whether the value at a path is the null value `\"\"`.",
            )
            .native(hl7::is_null)
            .hl7_path(),
            f(
                "set",
                "(&mut self, path: &String, value: &String) -> Result<(), Error>",
                "Sets the value at a path, escaping it and adding what it needs (the segment only as the next of its id).",
            )
            .native(hl7::set)
            .hl7_path(),
            f(
                "add_segment",
                "(&mut self, name: &String)",
                "Appends an empty segment.",
            )
            .native(hl7::add_segment),
            f(
                "segments",
                "(&self, name: &String) -> List<Segment>",
                "Every segment with that id, in order.",
            )
            .native(hl7::segments),
            f(
                "segment",
                "(&self, name: &String) -> Option<Segment>",
                "The first segment with that id.",
            )
            .native(hl7::first_segment),
            f(
                "all_segments",
                "(&self) -> List<Segment>",
                "Every segment, in order.",
            )
            .native(hl7::all_segments),
            cap(
                "ack",
                "(&self, code: &String) -> Message",
                Capability::Clock,
                "An acknowledgement (`AA`, `AE`, `AR`, `CA`, `CE`, `CR`): sender and receiver swapped, MSH-7 now, MSA-2 this message's MSH-10.",
            )
            .native(hl7::ack),
            cap(
                "ack_error",
                "(&self, code: &String, text: &String) -> Message",
                Capability::Clock,
                "An acknowledgement (`AE`, `AR`…) carrying `text` in MSA-3 and an ERR segment.",
            )
            .native(hl7::ack_error),
            f(
                "to_string",
                "(&self) -> String",
                "The message text, byte for byte as parsed where unchanged.",
            )
            .native(hl7::message_text),
        ],
        ..BASE
    },
    StdType {
        name: "Segment",
        doc: "One segment of an HL7 message.",
        display: true,
        methods: &[
            f(
                "name",
                "(&self) -> String",
                "The segment id, such as `OBX`.",
            )
            .native(hl7::segment_name),
            f(
                "field",
                "(&self, n: int) -> Field",
                "Field `n` (from 1; empty when absent; in MSH, field 1 is the separator).",
            )
            .native(hl7::segment_field),
            f(
                "field_count",
                "(&self) -> int",
                "The number of the last field present.",
            )
            .native(hl7::field_count),
            f("to_string", "(&self) -> String", "The segment text.").native(hl7::segment_text),
        ],
        ..BASE
    },
    StdType {
        name: "Field",
        doc: "One field of a segment: repetitions, components and subcomponents.",
        display: true,
        methods: &[
            f(
                "component",
                "(&self, n: int) -> String",
                "Component `n` (from 1) of the first repetition, unescaped.",
            )
            .native(hl7::component),
            f(
                "subcomponent",
                "(&self, component: int, n: int) -> String",
                "Subcomponent `n` of a component, unescaped.",
            )
            .native(hl7::subcomponent),
            f(
                "components",
                "(&self) -> List<String>",
                "Every component of the first repetition, unescaped.",
            )
            .native(hl7::components),
            f(
                "repetitions",
                "(&self) -> List<Field>",
                "Each repetition of the field.",
            )
            .native(hl7::repetitions),
            f(
                "as_string",
                "(&self) -> String",
                "The whole field, unescaped.",
            )
            .native(hl7::field_as_string),
            f("is_null", "(&self) -> bool", "Whether the field is the null value `\"\"`.")
                .native(hl7::field_is_null),
            f("is_empty", "(&self) -> bool", "Whether the field is empty or absent.")
                .native(hl7::field_is_empty),
            f(
                "to_string",
                "(&self) -> String",
                "The field text as encoded.",
            )
            .native(hl7::field_text),
        ],
        ..BASE
    },
    StdType {
        name: "Batch",
        doc: "An HL7 batch file: FHS/BHS headers, messages, BTS/FTS trailers.",
        display: true,
        methods: &[
            f(
                "messages",
                "(&self) -> List<Message>",
                "The messages, in order.",
            )
            .native(hl7::batch_messages),
            f(
                "envelope",
                "(&self, name: &String) -> Option<Segment>",
                "The first `FHS`, `BHS`, `BTS` or `FTS` segment.",
            )
            .native(hl7::batch_envelope),
            f(
                "to_string",
                "(&self) -> String",
                "The file text, byte for byte as parsed.",
            )
            .native(hl7::batch_text),
        ],
        ..BASE
    },
    StdType {
        name: "MllpReader",
        doc: "Splits a stream's data into MLLP-framed messages.",
        display: true,
        methods: &[
            f("new", "() -> MllpReader", "A reader with nothing buffered.")
                .native(hl7::reader_new),
            f(
                "push",
                "(&mut self, data: &String) -> Result<List<String>, Error>",
                "Takes what arrived; gives the messages whose frames it completed (bytes outside frames are dropped and counted).",
            )
            .native(hl7::reader_push),
            f(
                "pending",
                "(&self) -> int",
                "Bytes of a frame begun and not yet ended.",
            )
            .native(hl7::reader_pending),
            f(
                "discarded",
                "(&self) -> int",
                "Bytes dropped outside frames so far.",
            )
            .native(hl7::reader_discarded),
        ],
        ..BASE
    },
];

const HL7_FNS: &[StdFn] = &[
    f(
        "parse",
        "(text: &String) -> Result<Message, Error>",
        "Parses a message with the encoding characters of its MSH segment (`\\r`, `\\n` or `\\r\\n` between segments).",
    )
    .native(hl7::parse),
    f(
        "parse_batch",
        "(text: &String) -> Result<Batch, Error>",
        "Parses a batch file (FHS/BHS … BTS/FTS, or a bare run of messages).",
    )
    .native(hl7::parse_batch),
    f(
        "frame",
        "(message: &Message) -> String",
        "The message in an MLLP frame (0x0B … 0x1C 0x0D), ready for `net` write.",
    )
    .native(hl7::frame),
    f(
        "frame_text",
        "(text: &String) -> String",
        "Message text in an MLLP frame.",
    )
    .native(hl7::frame_text),
    f(
        "unframe",
        "(data: &String) -> Result<String, Error>",
        "The message text inside one MLLP frame.",
    )
    .native(hl7::unframe),
];

const FHIR_TYPES: &[StdType] = &[StdType {
    name: "Resource",
    doc: "A FHIR R4 resource held as JSON.",
    display: true,
    methods: &[
        f(
            "from_json",
            "(json: &Json) -> Result<Resource, Error>",
            "A resource from a JSON object with a `resourceType`.",
        )
        .native(fhir::from_json),
        f(
            "resource_type",
            "(&self) -> String",
            "The `resourceType`, such as `Patient`.",
        )
        .native(fhir::resource_type),
        f("id", "(&self) -> Option<String>", "The resource's `id`.").native(fhir::id),
        f(
            "path",
            "(&self, path: &String) -> Option<Json>",
            "The first value a FHIRPath expression gives (`name[0].given[0]`, `telecom.where(system = 'phone').value`); panics on an expression outside the subset.",
        )
        .native(fhir::path),
        f(
            "select",
            "(&self, path: &String) -> Result<List<Json>, Error>",
            "Every value a FHIRPath expression gives, in order.",
        )
        .native(fhir::select),
        f(
            "entries",
            "(&self) -> List<Resource>",
            "The resources of a Bundle's entries.",
        )
        .native(fhir::entries),
        f("json", "(&self) -> Json", "The resource as JSON.").native(fhir::to_json),
        f("to_string", "(&self) -> String", "Compact JSON text.").native(fhir::to_string),
    ],
    ..BASE
}];

const FHIR_FNS: &[StdFn] = &[f(
    "parse",
    "(text: &String) -> Result<Resource, Error>",
    "Parses a FHIR R4 JSON resource (an `Err` of kind `FhirError` when it is not JSON or has no `resourceType`).",
)
.native(fhir::parse)];

const GC_FNS: &[StdFn] = &[
    f(
        "collect",
        "()",
        "A full, blocking collection: every unreachable object is reclaimed and finalized.",
    )
    .native(gc::gc_collect),
    f("collect_young", "()", "Collects the young generation only.").native(gc::gc_collect_young),
    f(
        "disable",
        "()",
        "Stops automatic collections until `enable`.",
    )
    .native(gc::gc_disable),
    f("enable", "()", "Resumes automatic collections.").native(gc::gc_enable),
    f(
        "configure",
        "(config: GcConfig)",
        "Applies collector settings.",
    )
    .native(gc::gc_configure),
    f(
        "stats",
        "() -> GcStats",
        "What the collector has done so far.",
    )
    .native(gc::gc_stats),
];

const TASK_FNS: &[StdFn] = &[
    detaches(
        "spawn",
        "<T>(body: fn() -> T) -> Task<T>",
        "Starts a task with the parent's capabilities.",
    )
    .native(tasks::task_spawn),
    detaches(
        "spawn_with",
        "<T>(options: TaskOptions, body: fn() -> T) -> Task<T>",
        "Starts a task with a priority and narrowed capabilities.",
    )
    .native(tasks::task_spawn_with),
    StdFn {
        kind: FnKind::Sends,
        ..f(
            "channel",
            "<T>(capacity: int) -> (Sender<T>, Receiver<T>)",
            "A bounded channel; capacity 0 is a rendezvous.",
        )
    }
    .native(tasks::task_channel),
    f("yield_now", "()", "Lets other tasks run.").native(tasks::task_yield_now),
];

const CAPS_FNS: &[StdFn] = &[
    f(
        "revoke",
        "(cap: Cap)",
        "Gives up a capability for the rest of the task.",
    )
    .native(crate::vm::caps::caps_revoke),
    f(
        "has",
        "(cap: Cap) -> bool",
        "Whether the task holds a capability.",
    )
    .native(crate::vm::caps::caps_has)
    .rt_fit(),
];

const ZONE_FNS: &[StdFn] = &[
    f(
        "used",
        "() -> int",
        "Bytes allocated so far in the innermost zone.",
    )
    .native(zones::zone_used)
    .rt_fit(),
    f(
        "capacity",
        "() -> int",
        "Bytes reserved by the innermost zone.",
    )
    .native(zones::zone_capacity)
    .rt_fit(),
];

const DEVICE_FNS: &[StdFn] = &[
    cap(
        "read",
        "(sensor: &String) -> float",
        Capability::Device,
        "Reads a sensor provided by the host.",
    )
    .native(device::device_read)
    .rt_fit(),
    cap(
        "write",
        "(actuator: &String, value: float)",
        Capability::Device,
        "Drives an actuator provided by the host.",
    )
    .native(device::device_write)
    .rt_fit(),
];

/// The whole standard library, prelude first.
pub static MODULES: &[StdModule] = &[
    StdModule {
        name: "",
        doc: "What every program sees without a `use`.",
        types: PRELUDE_TYPES,
        fns: PRELUDE_FNS,
        consts: &[],
    },
    StdModule {
        name: "io",
        doc: "Standard input and output.",
        types: &[],
        fns: IO_FNS,
        consts: &[],
    },
    StdModule {
        name: "fs",
        doc: "Files (needs `uses fs`).",
        types: &[],
        fns: FS_FNS,
        consts: &[],
    },
    StdModule {
        name: "net",
        doc: "TCP networking (needs `uses net`).",
        types: NET_TYPES,
        fns: NET_FNS,
        consts: &[],
    },
    StdModule {
        name: "env",
        doc: "The program's arguments and environment variables (needs `uses env`).",
        types: &[],
        fns: ENV_FNS,
        consts: &[],
    },
    StdModule {
        name: "time",
        doc: "Clocks and sleeping (needs `uses clock`).",
        types: TIME_TYPES,
        fns: TIME_FNS,
        consts: &[],
    },
    StdModule {
        name: "math",
        doc: "Floating-point functions and constants.",
        types: &[],
        fns: MATH_FNS,
        consts: MATH_CONSTS,
    },
    StdModule {
        name: "json",
        doc: "Dynamic JSON values.",
        types: &[],
        fns: JSON_FNS,
        consts: &[],
    },
    StdModule {
        name: "hl7",
        doc: "HL7 v2 messages.",
        types: HL7_TYPES,
        fns: HL7_FNS,
        consts: &[],
    },
    StdModule {
        name: "fhir",
        doc: "FHIR R4 resources on JSON.",
        types: FHIR_TYPES,
        fns: FHIR_FNS,
        consts: &[],
    },
    StdModule {
        name: "gc",
        doc: "The task's garbage-collected heap.",
        types: &[],
        fns: GC_FNS,
        consts: &[],
    },
    StdModule {
        name: "task",
        doc: "Tasks and channels.",
        types: &[],
        fns: TASK_FNS,
        consts: &[],
    },
    StdModule {
        name: "caps",
        doc: "Capabilities held by the task.",
        types: &[],
        fns: CAPS_FNS,
        consts: &[],
    },
    StdModule {
        name: "zone",
        doc: "Real-time memory zones.",
        types: &[],
        fns: ZONE_FNS,
        consts: &[],
    },
    StdModule {
        name: "device",
        doc: "Host-provided sensors and actuators (needs `uses device`).",
        types: &[],
        fns: DEVICE_FNS,
        consts: &[],
    },
];

/// Every std function and method under the name the code generator gives
/// its calls: `println`, `fs::read`, `String::len` (a method is named by
/// its type, whatever module the type is in).
pub fn entries() -> impl Iterator<Item = (String, &'static StdFn)> {
    MODULES.iter().flat_map(|m| {
        let fns = m.fns.iter().map(move |f| {
            let name = if m.name.is_empty() {
                f.name.to_string()
            } else {
                format!("{}::{}", m.name, f.name)
            };
            (name, f)
        });
        let methods = m.types.iter().flat_map(|t| {
            t.methods
                .iter()
                .chain(t.ref_methods)
                .map(move |f| (format!("{}::{}", t.name, f.name), f))
        });
        fns.chain(methods)
    })
}

/// The entry a native call names (see [`entries`]).
pub fn entry(name: &str) -> Option<&'static StdFn> {
    static BY_NAME: std::sync::LazyLock<std::collections::HashMap<String, &'static StdFn>> =
        std::sync::LazyLock::new(|| entries().collect());
    BY_NAME.get(name).copied()
}
