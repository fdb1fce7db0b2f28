//! The surface of Ward's standard library as data: every std module, type,
//! function, method and constant with its Ward signature, the capability it
//! needs and a line of documentation. The compiler builds its view of `std`
//! from this table (it never names a std function in code); the VM binds
//! native implementations to the same entries, in table order.
//!
//! Signatures are written in Ward syntax without the `fn` keyword and name:
//! `"<U>(self, f: fn(T) -> U) -> Option<U>"`.

use crate::caps::Capability;

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
    /// their own (`task::spawn`): a closure passed must be `'static`.
    Detaches,
}

#[derive(Debug, Clone, Copy)]
pub struct StdFn {
    pub name: &'static str,
    /// Generics, parameters and return type: `"(path: &String) -> bool"`.
    pub sig: &'static str,
    pub cap: Option<Capability>,
    pub kind: FnKind,
    pub doc: &'static str,
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
    /// reference to it.
    pub iter: Option<&'static str>,
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
    }
}

const fn cap(name: &'static str, sig: &'static str, cap: Capability, doc: &'static str) -> StdFn {
    StdFn {
        name,
        sig,
        cap: Some(cap),
        kind: FnKind::Plain,
        doc,
    }
}

const fn fmt(name: &'static str, sig: &'static str, doc: &'static str) -> StdFn {
    StdFn {
        name,
        sig,
        cap: None,
        kind: FnKind::Format,
        doc,
    }
}

const fn borrows(name: &'static str, sig: &'static str, doc: &'static str) -> StdFn {
    StdFn {
        name,
        sig,
        cap: None,
        kind: FnKind::BorrowsArgs,
        doc,
    }
}

const fn detaches(name: &'static str, sig: &'static str, doc: &'static str) -> StdFn {
    StdFn {
        name,
        sig,
        cap: None,
        kind: FnKind::Detaches,
        doc,
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
    ),
    f(
        "abs",
        "(&self) -> int",
        "The absolute value; panics on overflow for the minimum.",
    ),
    f(
        "pow",
        "(&self, exp: int) -> int",
        "Raises to a non-negative power; panics on overflow.",
    ),
    f(
        "min",
        "(&self, other: int) -> int",
        "The smaller of the two.",
    ),
    f(
        "max",
        "(&self, other: int) -> int",
        "The larger of the two.",
    ),
    f("signum", "(&self) -> int", "-1, 0 or 1."),
];

const FLOAT_METHODS: &[StdFn] = &[
    f(
        "to_string",
        "(&self) -> String",
        "The shortest text that reads back as the same number.",
    ),
    f("abs", "(&self) -> float", "The absolute value."),
    f(
        "sqrt",
        "(&self) -> float",
        "The square root (NaN for negative numbers).",
    ),
    f(
        "floor",
        "(&self) -> float",
        "Rounds toward negative infinity.",
    ),
    f(
        "ceil",
        "(&self) -> float",
        "Rounds toward positive infinity.",
    ),
    f("round", "(&self) -> float", "Rounds half away from zero."),
    f(
        "powi",
        "(&self, exp: int) -> float",
        "Raises to an integer power.",
    ),
    f(
        "powf",
        "(&self, exp: float) -> float",
        "Raises to a float power.",
    ),
    f(
        "min",
        "(&self, other: float) -> float",
        "The smaller of the two (ignores NaN).",
    ),
    f(
        "max",
        "(&self, other: float) -> float",
        "The larger of the two (ignores NaN).",
    ),
    f("is_nan", "(&self) -> bool", "Whether the value is NaN."),
];

const BOOL_METHODS: &[StdFn] = &[f("to_string", "(&self) -> String", "`true` or `false`.")];

const CHAR_METHODS: &[StdFn] = &[
    f("to_string", "(&self) -> String", "A one-character string."),
    f(
        "is_digit",
        "(&self) -> bool",
        "Whether the char is an ASCII digit.",
    ),
    f(
        "is_alphabetic",
        "(&self) -> bool",
        "Whether the char is alphabetic (Unicode).",
    ),
    f(
        "is_whitespace",
        "(&self) -> bool",
        "Whether the char is whitespace (Unicode).",
    ),
    f(
        "is_uppercase",
        "(&self) -> bool",
        "Whether the char is uppercase (Unicode).",
    ),
    f(
        "to_digit",
        "(&self, radix: int) -> Option<int>",
        "The digit's value in the radix, if it is one.",
    ),
];

const STRING_METHODS: &[StdFn] = &[
    f("new", "() -> String", "An empty string."),
    f(
        "from",
        "(text: &String) -> String",
        "A new string with the same text (Rust's `String::from`).",
    ),
    f("len", "(&self) -> int", "The length in UTF-8 bytes."),
    f(
        "is_empty",
        "(&self) -> bool",
        "Whether the string has no bytes.",
    ),
    f("push", "(&mut self, ch: char)", "Appends a char."),
    f(
        "push_str",
        "(&mut self, text: &String)",
        "Appends a string.",
    ),
    f("chars", "(&self) -> Iter<char>", "The chars, in order."),
    f(
        "contains",
        "(&self, pattern: &String) -> bool",
        "Whether `pattern` occurs in the string.",
    ),
    f(
        "starts_with",
        "(&self, prefix: &String) -> bool",
        "Whether the string begins with `prefix`.",
    ),
    f(
        "ends_with",
        "(&self, suffix: &String) -> bool",
        "Whether the string ends with `suffix`.",
    ),
    f(
        "find",
        "(&self, pattern: &String) -> Option<int>",
        "The byte index of the first occurrence of `pattern`.",
    ),
    f(
        "replace",
        "(&self, from: &String, to: &String) -> String",
        "A copy with every `from` replaced by `to`.",
    ),
    f(
        "split",
        "(&self, separator: &String) -> List<String>",
        "The pieces between occurrences of `separator`.",
    ),
    f(
        "lines",
        "(&self) -> List<String>",
        "The lines, without their line endings.",
    ),
    f(
        "trim",
        "(&self) -> String",
        "A copy without leading and trailing whitespace.",
    ),
    f("to_upper", "(&self) -> String", "An uppercase copy."),
    f("to_lower", "(&self) -> String", "A lowercase copy."),
    f(
        "parse_int",
        "(&self) -> Result<int, Error>",
        "Reads a decimal integer (an optional sign, then digits).",
    ),
    f(
        "parse_float",
        "(&self) -> Result<float, Error>",
        "Reads a float as Rust's `f64::from_str` does.",
    ),
    f(
        "slice",
        "(&self, range: Range<int>) -> String",
        "The bytes in `range`; panics off a char boundary.",
    ),
    f("to_string", "(&self) -> String", "A copy of the string."),
];

const OPTION_METHODS: &[StdFn] = &[
    f("is_some", "(&self) -> bool", "Whether there is a value."),
    f("is_none", "(&self) -> bool", "Whether there is no value."),
    f("unwrap", "(self) -> T", "The value; panics on `None`."),
    f(
        "expect",
        "(self, message: &String) -> T",
        "The value; panics with `message` on `None`.",
    ),
    f(
        "unwrap_or",
        "(self, default: T) -> T",
        "The value, or `default` on `None`.",
    ),
    f(
        "take",
        "(&mut self) -> Option<T>",
        "Moves the value out, leaving `None`.",
    ),
    f(
        "map",
        "<U>(self, f: fn(T) -> U) -> Option<U>",
        "Applies `f` to the value, if there is one.",
    ),
    f(
        "and_then",
        "<U>(self, f: fn(T) -> Option<U>) -> Option<U>",
        "`f` of the value, or `None` on `None`.",
    ),
    f(
        "unwrap_or_else",
        "(self, f: fn() -> T) -> T",
        "The value, or what `f` returns on `None` (`f` runs only then).",
    ),
    f(
        "is_some_and",
        "(self, f: fn(T) -> bool) -> bool",
        "Whether this is `Some` and `f` of the value is true.",
    ),
    f(
        "or",
        "(self, other: Option<T>) -> Option<T>",
        "This option if it is `Some`, otherwise `other`.",
    ),
    f(
        "ok_or",
        "<E>(self, error: E) -> Result<T, E>",
        "`Ok` with the value, or `Err(error)` on `None`.",
    ),
    f(
        "as_ref",
        "(&self) -> Option<&T>",
        "A borrow of the value, if there is one.",
    ),
];

const OPTION_REF_METHODS: &[StdFn] = &[
    f(
        "copied",
        "(self) -> Option<T>",
        "A copy of the value the reference points to, if there is one.",
    ),
    f(
        "cloned",
        "(self) -> Option<T>",
        "A clone of the value the reference points to, if there is one.",
    ),
];

const RESULT_REF_METHODS: &[StdFn] = &[
    f(
        "copied",
        "(self) -> Result<T, E>",
        "A copy of the `Ok` value the reference points to.",
    ),
    f(
        "cloned",
        "(self) -> Result<T, E>",
        "A clone of the `Ok` value the reference points to.",
    ),
];

const RESULT_METHODS: &[StdFn] = &[
    f("is_ok", "(&self) -> bool", "Whether this is `Ok`."),
    f("is_err", "(&self) -> bool", "Whether this is `Err`."),
    f("unwrap", "(self) -> T", "The `Ok` value; panics on `Err`."),
    f(
        "expect",
        "(self, message: &String) -> T",
        "The `Ok` value; panics with `message` on `Err`.",
    ),
    f(
        "unwrap_or",
        "(self, default: T) -> T",
        "The `Ok` value, or `default`.",
    ),
    f(
        "map",
        "<U>(self, f: fn(T) -> U) -> Result<U, E>",
        "Applies `f` to the `Ok` value.",
    ),
    f(
        "map_err",
        "<F>(self, f: fn(E) -> F) -> Result<T, F>",
        "Applies `f` to the `Err` value.",
    ),
    f(
        "and_then",
        "<U>(self, f: fn(T) -> Result<U, E>) -> Result<U, E>",
        "`f` of the `Ok` value, or the `Err` unchanged.",
    ),
    f(
        "unwrap_or_else",
        "(self, f: fn(E) -> T) -> T",
        "The `Ok` value, or what `f` returns for the error (`f` runs only then).",
    ),
    f(
        "ok",
        "(self) -> Option<T>",
        "The `Ok` value as an `Option`.",
    ),
    f(
        "err",
        "(self) -> Option<E>",
        "The `Err` value as an `Option`.",
    ),
];

const LIST_METHODS: &[StdFn] = &[
    f("new", "() -> List<T>", "An empty list."),
    f(
        "with_capacity",
        "(capacity: int) -> List<T>",
        "An empty list with room for `capacity` elements.",
    ),
    f("len", "(&self) -> int", "The number of elements."),
    f(
        "is_empty",
        "(&self) -> bool",
        "Whether the list has no elements.",
    ),
    f("push", "(&mut self, value: T)", "Appends an element."),
    f(
        "pop",
        "(&mut self) -> Option<T>",
        "Removes and returns the last element.",
    ),
    f(
        "insert",
        "(&mut self, index: int, value: T)",
        "Inserts at `index`, shifting later elements; panics past the end.",
    ),
    f(
        "remove",
        "(&mut self, index: int) -> T",
        "Removes and returns the element at `index`; panics out of bounds.",
    ),
    f(
        "get",
        "(&self, index: int) -> Option<&T>",
        "A borrow of the element at `index`, if any.",
    ),
    f(
        "get_mut",
        "(&mut self, index: int) -> Option<&mut T>",
        "A unique borrow of the element at `index`, if any.",
    ),
    f(
        "first",
        "(&self) -> Option<&T>",
        "The first element, if any.",
    ),
    f("last", "(&self) -> Option<&T>", "The last element, if any."),
    f(
        "contains",
        "(&self, value: &T) -> bool",
        "Whether an element equals `value`.",
    ),
    f("clear", "(&mut self)", "Removes every element."),
    f("sort", "(&mut self)", "Sorts in ascending order (stable)."),
    f("reverse", "(&mut self)", "Reverses the order in place."),
    f("swap", "(&mut self, a: int, b: int)", "Swaps two elements."),
    f(
        "truncate",
        "(&mut self, len: int)",
        "Keeps the first `len` elements.",
    ),
    f(
        "slice",
        "(&self, range: Range<int>) -> List<T>",
        "A copy of the elements in `range`.",
    ),
    f(
        "iter",
        "(&self) -> Iter<&T>",
        "Borrows each element in order.",
    ),
    f(
        "iter_mut",
        "(&mut self) -> Iter<&mut T>",
        "Borrows each element uniquely, in order.",
    ),
];

const MAP_METHODS: &[StdFn] = &[
    f("new", "() -> Map<K, V>", "An empty map."),
    f(
        "insert",
        "(&mut self, key: K, value: V) -> Option<V>",
        "Inserts or replaces; returns the old value.",
    ),
    f(
        "get",
        "(&self, key: &K) -> Option<&V>",
        "A borrow of the value for `key`.",
    ),
    f(
        "get_mut",
        "(&mut self, key: &K) -> Option<&mut V>",
        "A unique borrow of the value for `key`.",
    ),
    f(
        "contains_key",
        "(&self, key: &K) -> bool",
        "Whether `key` has a value.",
    ),
    f(
        "remove",
        "(&mut self, key: &K) -> Option<V>",
        "Removes and returns the value for `key`.",
    ),
    f("len", "(&self) -> int", "The number of entries."),
    f(
        "is_empty",
        "(&self) -> bool",
        "Whether the map has no entries.",
    ),
    f(
        "keys",
        "(&self) -> Iter<&K>",
        "The keys, in insertion order.",
    ),
    f(
        "values",
        "(&self) -> Iter<&V>",
        "The values, in insertion order.",
    ),
    f("clear", "(&mut self)", "Removes every entry."),
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
        )],
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
            ),
            f(
                "collect",
                "(self) -> List<T>",
                "Consumes the sequence into a list.",
            ),
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
            ),
            f(
                "to_string",
                "(&self) -> String",
                "The error chain as text, with locations.",
            ),
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
        )],
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
            ),
            f(
                "downgrade",
                "(this: &Gc<T>) -> Weak<T>",
                "A weak pointer that does not keep the object alive.",
            ),
            f(
                "with_finalizer",
                "(value: T, finalizer: fn(T)) -> Gc<T>",
                "Like `new`; after collection, `finalizer` receives the value by move, exactly once.",
            ),
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
        )],
        ..BASE
    },
    StdType {
        name: "RefCell",
        generics: "<T>",
        doc: "Interior mutability with borrows checked at run time.",
        send: false,
        methods: &[
            f("new", "(value: T) -> RefCell<T>", "Wraps a value."),
            f(
                "borrow",
                "(&self) -> &T",
                "A shared borrow; panics while a unique borrow is live.",
            ),
            f(
                "borrow_mut",
                "(&self) -> &mut T",
                "A unique borrow; panics while any borrow is live, naming both places.",
            ),
            f(
                "try_borrow_mut",
                "(&self) -> Result<&mut T, Error>",
                "A unique borrow, or `Err` while any borrow is live.",
            ),
            f(
                "replace",
                "(&self, value: T) -> T",
                "Swaps in a new value and returns the old one.",
            ),
            f("into_inner", "(self) -> T", "Unwraps the value."),
        ],
        ..BASE
    },
    StdType {
        name: "Cell",
        generics: "<T>",
        doc: "Interior mutability for Copy values.",
        send: false,
        methods: &[
            f("new", "(value: T) -> Cell<T>", "Wraps a value."),
            f("get", "(&self) -> T", "A copy of the value."),
            f("set", "(&self, value: T)", "Replaces the value."),
            f(
                "replace",
                "(&self, value: T) -> T",
                "Swaps in a new value and returns the old one.",
            ),
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
            ),
            f(
                "growable",
                "(capacity: int) -> Pool<T>",
                "A pool that doubles when full; not for real-time code.",
            ),
            f(
                "alloc",
                "(&self, value: T) -> Result<Pooled<T>, Error>",
                "Moves `value` into a free slot; `Err(PoolExhausted)` when full.",
            ),
            f("capacity", "(&self) -> int", "The number of slots."),
            f("in_use", "(&self) -> int", "The number of occupied slots."),
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
        doc: "A dynamic JSON value.",
        display: true,
        methods: &[
            f(
                "get",
                "(&self, key: &String) -> Option<Json>",
                "The member `key` of an object.",
            ),
            f(
                "index",
                "(&self, i: int) -> Option<Json>",
                "The element `i` of an array.",
            ),
            f(
                "as_int",
                "(&self) -> Option<int>",
                "The value as an integer, if it is one.",
            ),
            f(
                "as_float",
                "(&self) -> Option<float>",
                "The value as a float, if it is a number.",
            ),
            f(
                "as_string",
                "(&self) -> Option<String>",
                "The value as a string, if it is one.",
            ),
            f(
                "as_bool",
                "(&self) -> Option<bool>",
                "The value as a bool, if it is one.",
            ),
            f(
                "as_list",
                "(&self) -> Option<List<Json>>",
                "The elements, if it is an array.",
            ),
            f("is_null", "(&self) -> bool", "Whether the value is `null`."),
            f("to_string", "(&self) -> String", "Compact JSON text."),
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
        )],
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
            ),
            f(
                "try_send",
                "(&self, value: T) -> Result<(), Error>",
                "Sends without waiting; `Err(Full)` when there is no room.",
            ),
        ],
        ..BASE
    },
    StdType {
        name: "Receiver",
        eq: false,
        generics: "<T>",
        doc: "The receiving half of a channel; `for` over it ends when every sender is dropped.",
        clone: false,
        iter: Some("T"),
        methods: &[
            f(
                "recv",
                "(&self) -> Result<T, Error>",
                "Waits for a value; `Err(Disconnected)` once every sender is gone.",
            ),
            f(
                "try_recv",
                "(&self) -> Option<T>",
                "A value if one is waiting.",
            ),
            f(
                "recv_timeout",
                "(&self, ms: int) -> Result<T, Error>",
                "Waits at most `ms` milliseconds; `Err(Timeout)` after.",
            ),
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
    ),
    fmt(
        "println",
        "(format: &String)",
        "Prints formatted text and a newline to standard output.",
    ),
    fmt(
        "eprintln",
        "(format: &String)",
        "Prints formatted text and a newline to standard error.",
    ),
    fmt(
        "format",
        "(format: &String) -> String",
        "Formats text into a new string.",
    ),
    fmt(
        "panic",
        "(format: &String) -> !",
        "Unwinds the task with a formatted message.",
    ),
    f(
        "assert",
        "(condition: bool)",
        "Panics when `condition` is false.",
    ),
    borrows(
        "assert_eq",
        "<T>(left: T, right: T)",
        "Panics, showing both values, when they differ.",
    ),
    f("drop", "<T>(value: T)", "Drops `value` now."),
    f(
        "error",
        "(kind: &String, message: &String) -> Error",
        "Makes an `Error`, recording where it was made.",
    ),
    borrows(
        "type_name",
        "<T>(value: T) -> String",
        "The name of the value's type.",
    ),
];

const IO_FNS: &[StdFn] = &[f(
    "read_line",
    "() -> Option<String>",
    "The next line of standard input without its newline, or `None` at the end.",
)];

const FS_FNS: &[StdFn] = &[
    cap(
        "read",
        "(path: &String) -> Result<String, Error>",
        Capability::Fs,
        "Reads a whole file as UTF-8 text.",
    ),
    cap(
        "write",
        "(path: &String, text: &String) -> Result<(), Error>",
        Capability::Fs,
        "Creates or replaces a file.",
    ),
    cap(
        "append",
        "(path: &String, text: &String) -> Result<(), Error>",
        Capability::Fs,
        "Appends to a file, creating it if needed.",
    ),
    cap(
        "exists",
        "(path: &String) -> bool",
        Capability::Fs,
        "Whether a file or directory exists.",
    ),
    cap(
        "lines",
        "(path: &String) -> Result<List<String>, Error>",
        Capability::Fs,
        "Reads a file as lines.",
    ),
];

const NET_TYPES: &[StdType] = &[
    StdType {
        name: "TcpStream",
        doc: "A TCP connection.",
        clone: false,
        methods: &[
            cap(
                "read",
                "(&mut self) -> Result<String, Error>",
                Capability::Net,
                "Reads what has arrived (empty at end of stream).",
            ),
            cap(
                "write",
                "(&mut self, data: &String) -> Result<(), Error>",
                Capability::Net,
                "Writes all of `data`.",
            ),
            f("close", "(self)", "Closes the connection."),
        ],
        ..BASE
    },
    StdType {
        name: "TcpListener",
        doc: "A listening TCP socket.",
        clone: false,
        methods: &[cap(
            "accept",
            "(&self) -> Result<TcpStream, Error>",
            Capability::Net,
            "Waits for the next connection.",
        )],
        ..BASE
    },
];

const NET_FNS: &[StdFn] = &[
    cap(
        "connect",
        "(address: &String) -> Result<TcpStream, Error>",
        Capability::Net,
        "Opens a TCP connection to `host:port`.",
    ),
    cap(
        "listen",
        "(address: &String) -> Result<TcpListener, Error>",
        Capability::Net,
        "Listens for TCP connections on `host:port`.",
    ),
];

const TIME_TYPES: &[StdType] = &[StdType {
    name: "Instant",
    doc: "A point in monotonic time.",
    copy: true,
    display: true,
    methods: &[
        f(
            "elapsed_ms",
            "(&self) -> int",
            "Milliseconds since this instant.",
        ),
        f(
            "elapsed_us",
            "(&self) -> int",
            "Microseconds since this instant.",
        ),
        f(
            "to_string",
            "(&self) -> String",
            "The instant as seconds since the runtime started.",
        ),
    ],
    ..BASE
}];

const TIME_FNS: &[StdFn] = &[
    cap(
        "now",
        "() -> Instant",
        Capability::Clock,
        "The current instant.",
    ),
    cap(
        "sleep",
        "(ms: int)",
        Capability::Clock,
        "Parks the task for `ms` milliseconds.",
    ),
];

const MATH_FNS: &[StdFn] = &[
    f("sqrt", "(x: float) -> float", "The square root."),
    f(
        "pow",
        "(base: float, exp: float) -> float",
        "`base` raised to `exp`.",
    ),
    f("abs", "(x: float) -> float", "The absolute value."),
    f(
        "floor",
        "(x: float) -> float",
        "Rounds toward negative infinity.",
    ),
    f(
        "ceil",
        "(x: float) -> float",
        "Rounds toward positive infinity.",
    ),
    f(
        "round",
        "(x: float) -> float",
        "Rounds half away from zero.",
    ),
    f(
        "min",
        "(a: float, b: float) -> float",
        "The smaller of two floats.",
    ),
    f(
        "max",
        "(a: float, b: float) -> float",
        "The larger of two floats.",
    ),
    f("exp", "(x: float) -> float", "e raised to `x`."),
    f("ln", "(x: float) -> float", "The natural logarithm."),
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
        "Parses JSON text.",
    ),
    f(
        "stringify",
        "(value: &Json) -> String",
        "Compact JSON text.",
    ),
];

const HL7_TYPES: &[StdType] = &[
    StdType {
        name: "Message",
        doc: "An HL7 v2 message; it serialises back byte-for-byte.",
        display: true,
        methods: &[
            f(
                "get",
                "(&self, path: &String) -> Option<String>",
                "The value at a terser path such as `PID-5-1`.",
            ),
            f(
                "segments",
                "(&self, name: &String) -> List<Segment>",
                "Every segment with that name, in order.",
            ),
            f(
                "segment",
                "(&self, name: &String) -> Option<Segment>",
                "The first segment with that name.",
            ),
            f(
                "ack",
                "(&self, code: &String) -> Message",
                "An acknowledgement (`AA`, `AE`, `AR`) for this message.",
            ),
            f(
                "to_string",
                "(&self) -> String",
                "The message text, byte-for-byte as parsed.",
            ),
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
            ),
            f(
                "field",
                "(&self, n: int) -> Field",
                "Field `n` (1-based; empty when absent).",
            ),
            f("to_string", "(&self) -> String", "The segment text."),
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
                "Component `n` (1-based) of the first repetition, unescaped.",
            ),
            f(
                "subcomponent",
                "(&self, component: int, n: int) -> String",
                "Subcomponent `n` of a component.",
            ),
            f(
                "repetitions",
                "(&self) -> List<Field>",
                "Each repetition of the field.",
            ),
            f(
                "as_string",
                "(&self) -> String",
                "The whole field, unescaped.",
            ),
            f(
                "to_string",
                "(&self) -> String",
                "The field text as encoded.",
            ),
        ],
        ..BASE
    },
];

const HL7_FNS: &[StdFn] = &[
    f(
        "parse",
        "(text: &String) -> Result<Message, Error>",
        "Parses a message with the encoding characters of its MSH segment.",
    ),
    f(
        "frame",
        "(message: &Message) -> String",
        "The message in an MLLP frame, ready for `net` write.",
    ),
    f(
        "unframe",
        "(data: &String) -> Result<String, Error>",
        "The message text inside an MLLP frame.",
    ),
];

const FHIR_TYPES: &[StdType] = &[StdType {
    name: "Resource",
    doc: "A FHIR R4 resource held as JSON.",
    display: true,
    methods: &[
        f(
            "resource_type",
            "(&self) -> String",
            "The `resourceType`, such as `Patient`.",
        ),
        f(
            "path",
            "(&self, path: &String) -> Option<Json>",
            "The value at a path such as `name[0].given[0]`.",
        ),
        f(
            "entries",
            "(&self) -> List<Resource>",
            "The resources of a Bundle's entries.",
        ),
        f("json", "(&self) -> Json", "The resource as JSON."),
        f("to_string", "(&self) -> String", "Compact JSON text."),
    ],
    ..BASE
}];

const FHIR_FNS: &[StdFn] = &[f(
    "parse",
    "(text: &String) -> Result<Resource, Error>",
    "Parses a FHIR R4 JSON resource.",
)];

const GC_FNS: &[StdFn] = &[
    f(
        "collect",
        "()",
        "A full, blocking collection: every unreachable object is reclaimed and finalized.",
    ),
    f("collect_young", "()", "Collects the young generation only."),
    f(
        "disable",
        "()",
        "Stops automatic collections until `enable`.",
    ),
    f("enable", "()", "Resumes automatic collections."),
    f(
        "configure",
        "(config: GcConfig)",
        "Applies collector settings.",
    ),
    f(
        "stats",
        "() -> GcStats",
        "What the collector has done so far.",
    ),
];

const TASK_FNS: &[StdFn] = &[
    detaches(
        "spawn",
        "<T>(body: fn() -> T) -> Task<T>",
        "Starts a task with the parent's capabilities.",
    ),
    detaches(
        "spawn_with",
        "<T>(options: TaskOptions, body: fn() -> T) -> Task<T>",
        "Starts a task with a priority and narrowed capabilities.",
    ),
    f(
        "channel",
        "<T>(capacity: int) -> (Sender<T>, Receiver<T>)",
        "A bounded channel; capacity 0 is a rendezvous.",
    ),
    f("yield_now", "()", "Lets other tasks run."),
];

const CAPS_FNS: &[StdFn] = &[
    f(
        "revoke",
        "(cap: Cap)",
        "Gives up a capability for the rest of the task.",
    ),
    f(
        "has",
        "(cap: Cap) -> bool",
        "Whether the task holds a capability.",
    ),
];

const ZONE_FNS: &[StdFn] = &[
    f(
        "used",
        "() -> int",
        "Bytes allocated so far in the innermost zone.",
    ),
    f(
        "capacity",
        "() -> int",
        "Bytes reserved by the innermost zone.",
    ),
];

const DEVICE_FNS: &[StdFn] = &[
    cap(
        "read",
        "(sensor: &String) -> float",
        Capability::Device,
        "Reads a sensor provided by the host.",
    ),
    cap(
        "write",
        "(actuator: &String, value: float)",
        Capability::Device,
        "Drives an actuator provided by the host.",
    ),
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
