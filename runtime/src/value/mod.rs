//! The value layer: what a register holds and how objects are laid out.
//! Both the heap and the VM build on it; it depends on neither.
//!
//! - this file: [`Value`], maps and iterators, `==` and ordering;
//! - [`object`]: records, variants and closures, one allocation each;
//! - [`gc_object`]: GC objects, [`GcRef`], weak cells and [`CellBox`];
//! - [`inline`]: values laid out inside their GC object;
//! - [`host_stack`]: recursion a program controls.
//!
//! A register holds a [`Value`]; owned data (strings, lists, records) is
//! boxed and owned by exactly one register or field, so a move is `take`
//! (the source is left [`Value::Unit`], which doubles as its drop flag) and
//! a drop frees what is left. References are raw pointers to a register,
//! field or element: the borrow checker proved that the target outlives the
//! reference and that nothing else writes it meanwhile, which is what makes
//! dereferencing them sound — a promise about where the pointer came from
//! that only the VM can make, so the functions that follow references are
//! `unsafe fn`s ([`Value::target`], [`values_equal`], [`compare`]).

use std::hash::{Hash, Hasher};
use std::rc::Rc;

pub mod gc_object;
pub mod host_stack;
pub mod inline;
pub mod iter_box;
pub mod list;
pub mod object;
pub mod std_value;
pub mod text;

use object::Obj;

pub use gc_object::{CellBox, GcRef};
pub use iter_box::IterBox;
pub use list::List;
pub use std_value::StdValue;
pub use text::Text;

/// Type-table entries the runtime builds values of itself. The code
/// generator puts them first, in this order.
pub mod well_known {
    pub const OPTION: u32 = 0;
    pub const RESULT: u32 = 1;
    pub const ERROR: u32 = 2;
    pub const PANIC: u32 = 3;
    pub const RANGE: u32 = 4;
    pub const PAIR: u32 = 5;
    pub const NAMES: [&str; 6] = ["Option", "Result", "Error", "Panic", "Range", ""];
}

// The layout is fixed (`repr(u64)`: a tag word, then a payload word at
// offset 8) so that a register is two aligned words, and a move copies
// them as words. With the default layout a `bool` payload sits at byte 1,
// and a move copied bytes 1..16 through overlapping words that the CPU
// could not forward from the stores before (a stall on every argument
// passed: fib 0.148 -> 0.138 s).
#[derive(Debug, Default)]
#[repr(u64)]
pub enum Value {
    /// `()`, and an empty place (moved out or not yet initialised).
    #[default]
    Unit,
    Int(i64),
    Float(f64),
    Bool(bool),
    Char(char),
    /// A `String`: one allocation (see `text`).
    Str(Text),
    /// `&T` / `&mut T`.
    Ref(*mut Value),
    /// A struct, tuple or the record behind `Error`, `Panic` and ranges:
    /// its type-table entry and fields in order.
    Record(Record),
    /// An enum variant with fields.
    Variant(Variant),
    /// An enum variant without fields: type-table entry and variant index.
    Tag(u32, u32),
    List(List),
    Map(Box<Map>),
    /// A function item used as a value.
    Func(u32),
    Closure(Closure),
    Iter(IterBox),
    /// `Gc<T>`: a pointer into the task's GC heap (copied, never owned).
    Gc(GcRef),
    /// `Weak<T>`: a pointer to a weak cell (see `gc_object`).
    Weak(GcRef),
    /// `RefCell<T>` or `Cell<T>`: owned; its box is shared only with the
    /// write barrier's log.
    Cell(Rc<CellBox>),
    /// `Some(n)` with an `int`, held without an allocation (see
    /// [`Value::compact_parts`]).
    SomeInt(i64),
    /// `Some(r)` with a reference (`map.get(&k)`), without an allocation.
    SomeRef(*mut Value),
    /// `Ok(())`, without an allocation.
    OkUnit,
    /// A handle on something the scheduler shares between tasks: a
    /// `Task<T>`, a `Sender<T>` or a `Receiver<T>` (see `sched::handles`).
    /// Cloning copies the counted pointer: clones of a `Sender` are one
    /// sender, gone when the last is dropped.
    Host(std::sync::Arc<crate::sched::HostObject>),
    /// `Pool<T>`: a count on the pool's slots (see `zone::pool`).
    Pool(crate::zone::pool::PoolRef),
    /// `Pooled<T>`: the pool slot it owns.
    Pooled(crate::zone::pool::PooledRef),
    /// A value of a std type implemented in Rust: `Json`, HL7 and FHIR
    /// values, sockets (see `std_value`).
    Std(std::sync::Arc<StdValue>),
}

// A register is two words: records, variants and closures are thin
// pointers (see `object`).
const _: () = assert!(std::mem::size_of::<Value>() == 16);

/// A struct, tuple or the record behind `Error`, `Panic` and ranges: its
/// type-table entry and fields in order, in one allocation.
#[derive(Debug, Clone)]
pub struct Record(Obj);

/// An enum variant with fields: type-table entry, variant index, fields.
#[derive(Debug, Clone)]
pub struct Variant(Obj);

/// A closure: its function and its captures.
#[derive(Debug, Clone)]
pub struct Closure(Obj);

/// The accessors records and variants share.
macro_rules! fields_accessors {
    ($t:ty) => {
        impl $t {
            pub fn ty(&self) -> u32 {
                self.0.ty()
            }

            pub fn fields(&self) -> &[Value] {
                self.0.fields()
            }

            pub fn fields_mut(&mut self) -> &mut [Value] {
                self.0.fields_mut()
            }

            /// The bytes of its allocation.
            pub fn heap_bytes(&self) -> usize {
                self.0.heap_bytes()
            }
        }
    };
}

fields_accessors!(Record);
fields_accessors!(Variant);

impl Record {
    pub fn new(ty: u32, fields: impl ExactSizeIterator<Item = Value>) -> Record {
        Record(Obj::new(ty, 0, fields))
    }
}

impl Variant {
    pub fn new(ty: u32, tag: u32, fields: impl ExactSizeIterator<Item = Value>) -> Variant {
        Variant(Obj::new(ty, tag, fields))
    }

    pub fn tag(&self) -> u32 {
        self.0.tag()
    }
}

impl Closure {
    pub fn new(func: u32, captures: impl ExactSizeIterator<Item = Value>) -> Closure {
        Closure(Obj::new(func, 0, captures))
    }

    pub fn func(&self) -> u32 {
        self.0.ty()
    }

    pub fn captures(&self) -> &[Value] {
        self.0.fields()
    }

    pub fn captures_mut(&mut self) -> &mut [Value] {
        self.0.fields_mut()
    }

    /// The bytes of its allocation.
    pub fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

// Records, variants and closures are what nests without bound (a list or
// map holds values of one type, so only a named type can recur): dropping
// one takes its owned fields apart with a work list instead of letting
// drop glue recurse once per level. A chain of a million `Option<Node>`
// drops in constant host stack.
impl Drop for Record {
    fn drop(&mut self) {
        drop_nested(&mut self.0);
    }
}

impl Drop for Variant {
    fn drop(&mut self) {
        drop_nested(&mut self.0);
    }
}

impl Drop for Closure {
    fn drop(&mut self) {
        drop_nested(&mut self.0);
    }
}

impl Value {
    /// The allocation the value points to outside its own place (an
    /// object's header, a cell's box, a list's box), as an address to
    /// prefetch: nothing is read through it.
    fn owned_addr(&self) -> Option<*const u8> {
        match self {
            Value::Record(r) => Some(r.0.addr().cast_const()),
            Value::Variant(v) => Some(v.0.addr().cast_const()),
            Value::Closure(c) => Some(c.0.addr().cast_const()),
            Value::Cell(c) => Some(Rc::as_ptr(c).cast()),
            Value::List(l) => Some(std::ptr::from_ref::<Vec<Value>>(l).cast()),
            _ => None,
        }
    }

    /// Calls `f` with the address of each allocation that dropping the
    /// value would read first: those of its inline object's fields, or its
    /// own. The sweep prefetches them a few dead objects ahead, so the
    /// drop does not wait for a miss per cell.
    pub(crate) fn each_owned_addr(&self, f: impl FnMut(*const u8)) {
        match self.inline_fields() {
            Some(fields) => fields.iter().filter_map(Value::owned_addr).for_each(f),
            None => self.owned_addr().into_iter().for_each(f),
        }
    }

    /// The next step down from [`Value::each_owned_addr`]: what the cells
    /// and lists among its inline object's fields point to (a cell's list
    /// or `Some`, a list's items). Reads the cells' and lists' boxes, so
    /// it pays off once those were prefetched.
    ///
    /// # Safety
    /// Nothing writes the value's cells meanwhile.
    pub(crate) unsafe fn each_owned_addr_below(&self, mut f: impl FnMut(*const u8)) {
        let Some(fields) = self.inline_fields() else {
            return;
        };
        for field in fields {
            match field {
                Value::Cell(c) => {
                    // SAFETY: the caller's promise: a read of the cell's
                    // value while nothing writes it.
                    if let Some(p) = unsafe { &*c.value_ptr() }.owned_addr() {
                        f(p);
                    }
                }
                Value::List(l) => f(l.as_ptr().cast()),
                _ => {}
            }
        }
    }

    fn inline_fields(&self) -> Option<&[Value]> {
        match self {
            Value::Record(r) if r.0.is_inline() => Some(r.0.fields()),
            Value::Variant(v) if v.0.is_inline() => Some(v.0.fields()),
            Value::Closure(c) if c.0.is_inline() => Some(c.0.fields()),
            _ => None,
        }
    }
}

/// Whether dropping `v` in place is shallow: it owns nothing that could
/// nest deeply (a string, an inline object — whose own drop comes back
/// to `drop_nested` at most `inline::MAX_INLINE_BYTES / 16` levels deep —
/// or nothing at all).
fn drops_shallow(v: &Value) -> bool {
    // An object of its own whose fields own nothing (`Some(gc)`) drops in
    // one step too.
    let flat = |o: &Obj| o.is_inline() || o.fields().iter().all(|f| !f.owns_heap());
    match v {
        Value::Record(r) => flat(&r.0),
        Value::Variant(r) => flat(&r.0),
        Value::Closure(c) => flat(&c.0),
        Value::Str(_) => true,
        v => !v.owns_heap(),
    }
}

thread_local! {
    /// `drop_nested`'s work list, kept between drops: a dying object with
    /// cells (a GC sweep drops thousands) then allocates nothing for it.
    static DROP_WORK: std::cell::Cell<Vec<Value>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Drops the fields of `obj` and everything they own without recursion:
/// each owned container is emptied into a work list before it is freed,
/// so its own drop finds nothing left to walk. A container whose contents
/// all drop shallow (a list of `Gc`s, a cell holding `Some(gc)`) is freed
/// whole instead of taken apart.
fn drop_nested(obj: &mut Obj) {
    if obj.fields().iter().all(drops_shallow) {
        return;
    }
    // A drop below may come back here (an inline object's fields): it
    // finds the list taken and starts its own.
    // (During thread exit the list may be gone: then a fresh one.)
    let mut work = DROP_WORK
        .try_with(std::cell::Cell::take)
        .unwrap_or_default();
    obj.take_fields(&mut work);
    while let Some(mut v) = work.pop() {
        match &mut v {
            Value::Record(r) => r.0.take_fields(&mut work),
            Value::Variant(x) => x.0.take_fields(&mut work),
            Value::Closure(c) => c.0.take_fields(&mut work),
            Value::List(l) if !l.iter().all(drops_shallow) => work.append(l),
            Value::Map(m) => work.extend(m.drain(..).map(|(_, v)| v)),
            Value::Iter(it) => {
                if let Iter::Owned(rest) = &mut **it {
                    work.extend(rest.by_ref());
                }
            }
            // The last owner of a cell takes its value apart too.
            Value::Cell(c) => {
                if let Some(cell) = Rc::get_mut(c) {
                    let inner = cell.take_value();
                    if drops_shallow(&inner) {
                        drop(inner);
                    } else {
                        work.push(inner);
                    }
                }
            }
            _ => {}
        }
        drop(v);
    }
    if work.capacity() <= 1024 {
        let _ = DROP_WORK.try_with(|w| w.set(work));
    }
}

/// A map key: `int`, `String`, `char` or `bool` (the type checker allows
/// no others), hashed and compared by value.
#[derive(Debug, Clone)]
#[repr(transparent)]
pub struct Key(pub Value);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        key_equal(&self.0, &other.0)
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_key(&self.0, state);
    }
}

/// `==` on the kinds of value a key can be (no reference to follow).
fn key_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Char(x), Value::Char(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        _ => false,
    }
}

fn hash_key<H: Hasher>(key: &Value, state: &mut H) {
    match key {
        Value::Int(i) => i.hash(state),
        Value::Str(s) => s.as_str().hash(state),
        Value::Char(c) => c.hash(state),
        Value::Bool(b) => b.hash(state),
        other => std::mem::discriminant(other).hash(state),
    }
}

/// A key to look up without copying it (a `&K` argument): hashed and
/// compared as the [`Key`] it equals.
#[derive(Debug, Clone, Copy)]
pub struct KeyRef<'a>(pub &'a Value);

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_key(self.0, state);
    }
}

impl indexmap::Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        key_equal(self.0, &key.0)
    }
}

/// `Map<K, V>`: iterates in insertion order; removal keeps the order of
/// the rest. Each entry is stored as the `(K, V)` pair a `for` loop over
/// `&map` borrows (see [`entry`]). Keys are hashed with foldhash, seeded
/// per map (as hashbrown does): several times faster than `SipHash` on
/// short strings, and the order a program sees does not depend on it.
pub type Map = indexmap::IndexMap<Key, Value, foldhash::fast::RandomState>;

/// A map entry: the pair `(key, value)`.
pub fn entry(key: Value, value: Value) -> Value {
    Value::record(well_known::PAIR, vec![key, value])
}

/// The value (`part` 1) or key (`part` 0) of an entry.
pub fn entry_part(e: &mut Value, part: usize) -> &mut Value {
    if matches!(e, Value::Record(r) if r.fields().len() == 2)
        && let Value::Record(r) = e
    {
        return &mut r.fields_mut()[part];
    }
    e
}

/// An entry's value, to read.
pub fn entry_value(e: &Value) -> &Value {
    match e {
        Value::Record(r) if r.fields().len() == 2 => &r.fields()[1],
        other => other,
    }
}

/// An entry's value, moved out.
pub fn into_entry_value(e: Value) -> Value {
    match e {
        Value::Record(mut r) if r.fields().len() == 2 => r.fields_mut()[1].take(),
        other => other,
    }
}

/// The state of a one-pass iteration (`for`, `chars()`, `iter()`, …).
#[derive(Debug)]
pub enum Iter {
    /// `a..b` / `a..=b` (`end` is exclusive here).
    Range {
        next: i64,
        end: i64,
    },
    /// Owned values, consumed front to back.
    Owned(std::vec::IntoIter<Value>),
    /// References to the elements of a list (or a map's values / keys):
    /// `base` points at the first of `len` consecutive values `stride`
    /// apart.
    Refs {
        next: *mut Value,
        left: usize,
        stride: usize,
    },
    /// `(&K, &V)` pairs of a map.
    MapRefs {
        map: *mut Map,
        next: usize,
    },
    /// References to a map's keys (or, with `values`, its values).
    MapPart {
        map: *mut Map,
        next: usize,
        values: bool,
    },
    Chars {
        text: String,
        pos: usize,
    },
    /// `for r in rx`: the receiver, moved into the loop (the VM's `for`
    /// step receives, waiting as a task does).
    Channel(std::sync::Arc<crate::sched::HostObject>),
}

/// A value's two words in transit (see [`Value::read_words`]): kept in
/// machine registers, not memory.
#[derive(Clone, Copy, Debug)]
pub struct ValueWords(std::mem::MaybeUninit<u64>, std::mem::MaybeUninit<u64>);

impl Clone for Value {
    /// The deep copy of `.clone()` and of Copy types (a reference copies
    /// the pointer). Scalars are copied inline; owned data out of line.
    #[inline]
    fn clone(&self) -> Value {
        match self {
            Value::Int(i) => Value::Int(*i),
            Value::Float(f) => Value::Float(*f),
            Value::Bool(b) => Value::Bool(*b),
            Value::Ref(p) => Value::Ref(*p),
            _ => self.clone_slow(),
        }
    }
}

impl Value {
    /// Copies the value at `src` to `dst` as two word loads and stores.
    /// A value just returned through memory was written a word at a time;
    /// the compiler's own copy is one 16-byte load, which the CPU cannot
    /// forward from two stores (a stall of a dozen cycles per native call).
    ///
    /// # Safety
    /// `src` is valid for reads and `dst` for writes; this is a bitwise
    /// copy, so afterwards exactly one of them may be treated as owning
    /// the value, and what `dst` held is overwritten without a drop.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub unsafe fn move_words(src: *const Value, dst: *mut Value) {
        // SAFETY: the caller's contract.
        unsafe { Value::write_words(dst, Value::read_words(src)) };
    }

    /// The two words of the value at `p`, read as two loads (see
    /// [`Value::move_words`]); the value is not moved out: the caller
    /// makes sure exactly one of `p` and the words owns it.
    ///
    /// # Safety
    /// `p` is valid for reads and holds a value.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub unsafe fn read_words(p: *const Value) -> ValueWords {
        let s = p.cast::<std::mem::MaybeUninit<u64>>();
        // SAFETY: the caller's contract; `Value` is two aligned words
        // (`repr(u64)`), read as possibly uninitialised bytes (padding).
        // Volatile keeps the two loads from being merged into one.
        unsafe {
            ValueWords(
                std::ptr::read_volatile(s),
                std::ptr::read_volatile(s.add(1)),
            )
        }
    }

    /// Writes the words of a value to `p`, without dropping what was there.
    ///
    /// # Safety
    /// `p` is valid for writes; `w` came from [`Value::read_words`] and
    /// owns its value.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub unsafe fn write_words(p: *mut Value, w: ValueWords) {
        let d = p.cast::<std::mem::MaybeUninit<u64>>();
        // SAFETY: the caller's contract: `Value` is two aligned words.
        unsafe {
            d.write(w.0);
            d.add(1).write(w.1);
        }
    }

    /// Moves the value out of `p` as its words, leaving `()`.
    ///
    /// # Safety
    /// `p` is valid for reads and writes and holds a value.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub unsafe fn take_words(p: *mut Value) -> ValueWords {
        // SAFETY: the caller's contract; `p` is left `()`, so the words are
        // the value's only owner.
        unsafe {
            let w = Value::read_words(p);
            std::ptr::write(p, Value::Unit);
            w
        }
    }

    /// Puts the value whose words `w` are at `p`, dropping what `p` held.
    ///
    /// # Safety
    /// `p` is valid for reads and writes and holds a value; `w` came from
    /// [`Value::read_words`] and owns its value.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub unsafe fn overwrite_words(p: *mut Value, w: ValueWords) {
        // SAFETY: the caller's contract; the old value is dropped before
        // its place is written.
        unsafe {
            if (*p).owns_heap() {
                std::ptr::drop_in_place(p);
            }
            Value::write_words(p, w);
        }
    }

    /// The value whose words `w` are.
    ///
    /// # Safety
    /// `w` came from [`Value::read_words`] and owns its value.
    pub unsafe fn from_words(w: ValueWords) -> Value {
        let mut out = std::mem::MaybeUninit::<Value>::uninit();
        // SAFETY: the caller's contract.
        unsafe {
            Value::write_words(out.as_mut_ptr(), w);
            out.assume_init()
        }
    }

    /// Whether a copy of the value is its two words (a scalar or a
    /// reference: what `clone` copies inline).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub fn is_word_copy(&self) -> bool {
        matches!(
            self,
            Value::Unit | Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Ref(_)
        )
    }

    #[inline(never)]
    fn clone_slow(&self) -> Value {
        match self {
            // Iterators are not Clone in the language; an empty one is the
            // only thing a copy could honestly be.
            // `Pooled` is not `Clone` either (a slot has one owner).
            Value::Unit | Value::Iter(_) | Value::Pooled(_) => Value::Unit,
            Value::Int(i) => Value::Int(*i),
            Value::Float(f) => Value::Float(*f),
            Value::Bool(b) => Value::Bool(*b),
            Value::Char(c) => Value::Char(*c),
            Value::Str(s) => Value::Str(s.clone()),
            Value::Ref(p) => Value::Ref(*p),
            // Fields are cloned by recursion, one level per nesting level
            // of the value (see `host_stack`).
            Value::Record(r) => host_stack::grow(|| Value::Record(r.clone())),
            Value::Variant(v) => host_stack::grow(|| Value::Variant(v.clone())),
            Value::Tag(ty, t) => Value::Tag(*ty, *t),
            Value::SomeInt(i) => Value::SomeInt(*i),
            Value::SomeRef(p) => Value::SomeRef(*p),
            Value::OkUnit => Value::OkUnit,
            Value::List(l) => host_stack::grow(|| Value::List(l.clone())),
            Value::Map(m) => host_stack::grow(|| Value::Map(m.clone())),
            Value::Func(f) => Value::Func(*f),
            Value::Closure(c) => host_stack::grow(|| Value::Closure(c.clone())),
            Value::Gc(g) => Value::Gc(*g),
            Value::Weak(w) => Value::Weak(*w),
            Value::Host(h) => Value::Host(h.clone()),
            Value::Pool(p) => Value::Pool(p.share()),
            Value::Std(d) => {
                if d.duplicable() {
                    Value::Std(d.clone())
                } else {
                    Value::Unit
                }
            }
            Value::Cell(c) => {
                // SAFETY: reading the cell's value to copy it; no write is
                // in progress (the VM is single-threaded, and a write
                // happens inside one instruction or native).
                let inner = unsafe { &*c.value_ptr() }.clone();
                Value::Cell(CellBox::new(inner, c.is_refcell()))
            }
        }
    }
}

impl Value {
    /// Whether this value, or one it owns, was allocated where `inside`
    /// says (a zone's memory: the VM copies such a value out of a zone it
    /// leaves). Walks the owned tree with a work list.
    pub fn owns_memory_where(&self, inside: &dyn Fn(usize) -> bool) -> bool {
        let mut work: Vec<&Value> = vec![self];
        while let Some(v) = work.pop() {
            let hit = match v {
                Value::Str(s) => inside(s.addr() as usize),
                Value::Record(r) => {
                    work.extend(r.fields());
                    inside(r.0.addr() as usize)
                }
                Value::Variant(r) => {
                    work.extend(r.fields());
                    inside(r.0.addr() as usize)
                }
                Value::Closure(c) => {
                    work.extend(c.captures());
                    inside(c.0.addr() as usize)
                }
                Value::List(l) => {
                    work.extend(l.iter());
                    inside(l.box_addr()) || inside(l.as_ptr() as usize)
                }
                Value::Map(m) => {
                    work.extend(m.values());
                    inside(std::ptr::from_ref::<Map>(m) as usize)
                }
                Value::Iter(it) => inside(std::ptr::from_ref(&**it) as usize),
                Value::Cell(c) => inside(Rc::as_ptr(c) as usize),
                Value::Pooled(h) => {
                    work.push(h.value());
                    false
                }
                _ => false,
            };
            if hit {
                return true;
            }
        }
        false
    }

    /// Whether dropping this value frees anything (scalars, references,
    /// tags and function items own nothing).
    // Every register write goes through these: never worth a call.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub fn owns_heap(&self) -> bool {
        matches!(
            self,
            Value::Str(_)
                | Value::Record(_)
                | Value::Variant(_)
                | Value::List(_)
                | Value::Map(_)
                | Value::Closure(_)
                | Value::Iter(_)
                | Value::Cell(_)
                | Value::Host(_)
                | Value::Pool(_)
                | Value::Pooled(_)
                | Value::Std(_)
        )
    }

    /// Whether the value owns no other value and holds no reference: a
    /// scalar, a string, a tag or a GC pointer (see `list`).
    pub fn is_flat(&self) -> bool {
        matches!(
            self,
            Value::Unit
                | Value::Int(_)
                | Value::Float(_)
                | Value::Bool(_)
                | Value::Char(_)
                | Value::Str(_)
                | Value::Tag(..)
                | Value::Func(_)
                | Value::Gc(_)
                | Value::Weak(_)
        )
    }

    /// Whether this is a GC pointer (which a frame's registers must not
    /// keep after the frame is gone).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub fn is_gc_pointer(&self) -> bool {
        matches!(self, Value::Gc(_) | Value::Weak(_))
    }

    /// `*self = v`, without the call into drop glue when the old value
    /// owns nothing (most writes: the interpreter's hot path).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub fn overwrite(&mut self, v: Value) {
        if self.owns_heap() {
            *self = v;
        } else {
            // SAFETY: `self` is a valid, exclusive place, and the value in it
            // has no drop glue to run (checked just above), so overwriting
            // it without dropping loses nothing.
            unsafe { std::ptr::write(self, v) };
        }
    }

    pub fn str(s: impl Into<Text>) -> Value {
        Value::Str(s.into())
    }

    pub fn record(ty: u32, fields: Vec<Value>) -> Value {
        Value::Record(Record::new(ty, fields.into_iter()))
    }

    pub fn variant(ty: u32, tag: u32, fields: Vec<Value>) -> Value {
        Value::variant_of(ty, tag, fields.into_iter())
    }

    /// A variant with the values `fields` yields (a tag alone when none).
    ///
    /// `Some(int)`, `Some(&T)` and `Ok(())` are held compact, without an
    /// allocation: see [`Value::compact_parts`].
    pub fn variant_of(
        ty: u32,
        tag: u32,
        mut fields: impl ExactSizeIterator<Item = Value>,
    ) -> Value {
        match fields.len() {
            0 => Value::Tag(ty, tag),
            1 if tag == 0 && ty <= well_known::RESULT => match fields.next() {
                Some(f) => Value::one_field(ty, f),
                None => Value::Tag(ty, tag),
            },
            _ => Value::Variant(Variant::new(ty, tag, fields)),
        }
    }

    /// Variant 0 (`Some` / `Ok`) of `Option` or `Result` with `field`:
    /// compact when the field allows it.
    fn one_field(ty: u32, field: Value) -> Value {
        match (ty, field) {
            (well_known::OPTION, Value::Int(i)) => Value::SomeInt(i),
            (well_known::OPTION, Value::Ref(p)) => Value::SomeRef(p),
            (well_known::RESULT, Value::Unit) => Value::OkUnit,
            (ty, f) => Value::Variant(Variant::new(ty, 0, std::iter::once(f))),
        }
    }

    /// A compact variant's type-table entry, variant index and field.
    ///
    /// `Some(int)`, `Some(&T)` and `Ok(())` are made and dropped at a high
    /// rate (`map.get`, `map.insert`, a function returning
    /// `Result<(), E>`), so they live in the register itself, without an
    /// allocation. Every reader of a variant accepts both forms; a place
    /// that needs the field as a place of its own (`&mut` into `Some(x)`)
    /// first turns the compact form into the allocated one
    /// ([`Value::expand`]). Inside a GC object they are laid out as inline
    /// variants (see `inline`), so nothing ever expands a `Gc`'s value.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub fn compact_parts(&self) -> Option<(u32, u32, Value)> {
        match self {
            Value::SomeInt(i) => Some((well_known::OPTION, 0, Value::Int(*i))),
            Value::SomeRef(p) => Some((well_known::OPTION, 0, Value::Ref(*p))),
            Value::OkUnit => Some((well_known::RESULT, 0, Value::Unit)),
            _ => None,
        }
    }

    /// Turns a compact variant into its allocated form, in place (its
    /// field then has a place a reference can point to).
    pub fn expand(&mut self) {
        if let Some((ty, tag, f)) = self.compact_parts() {
            *self = Value::Variant(Variant::new(ty, tag, std::iter::once(f)));
        }
    }

    /// The reference a `Ref` or `Some(&T)` holds, to rewrite when its
    /// target moves.
    pub fn ref_slot(&mut self) -> Option<&mut *mut Value> {
        match self {
            Value::Ref(p) | Value::SomeRef(p) => Some(p),
            _ => None,
        }
    }

    #[must_use]
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    /// Follows references to the value they point to.
    ///
    /// # Safety
    ///
    /// Every `Value::Ref` on the way must point at a live value that
    /// nothing writes while the result is used. The VM makes a reference
    /// only from a place the borrow checker proved outlives it, so a
    /// reference in a register or a native's arguments qualifies; one
    /// built any other way does not.
    pub unsafe fn target(&self) -> &Value {
        let mut v = self;
        while let Value::Ref(p) = v {
            // SAFETY: the caller's promise (see above).
            v = unsafe { &**p };
        }
        v
    }

    /// Follows references to the place they point to, for writing.
    ///
    /// # Safety
    ///
    /// As [`Value::target`], and the last reference on the way must be
    /// the only path to its target while the result is used (a `&mut`).
    pub unsafe fn target_mut(&mut self) -> &mut Value {
        let mut v: *mut Value = self;
        // SAFETY: the caller's promise (see above).
        unsafe {
            while let Value::Ref(p) = *v {
                v = p;
            }
            &mut *v
        }
    }

    /// The variant index of an enum value (not through a reference).
    pub fn tag(&self) -> Option<u32> {
        match self {
            Value::Tag(_, t) => Some(*t),
            Value::Variant(v) => Some(v.tag()),
            Value::SomeInt(_) | Value::SomeRef(_) | Value::OkUnit => Some(0),
            _ => None,
        }
    }

    /// The fields of a record or variant (or the elements of a list); not
    /// through a reference. A compact variant is expanded first.
    pub fn fields_mut(&mut self) -> Option<&mut [Value]> {
        self.expand();
        match self {
            Value::Record(r) => Some(r.fields_mut()),
            Value::Variant(v) => Some(v.fields_mut()),
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }
}

/// Structural `==` (references compare what they point to, as Rust's
/// `PartialEq` for `&T`).
///
/// # Safety
///
/// Every reference reachable from `a` and `b` is one [`Value::target`]
/// may follow, and nothing writes what they reach meanwhile.
// `==` on floats is IEEE equality, exactly as Rust's.
#[allow(clippy::float_cmp, clippy::match_same_arms)]
pub unsafe fn values_equal(a: &Value, b: &Value) -> bool {
    // SAFETY: the caller's promise.
    match unsafe { (a.target(), b.target()) } {
        (Value::Unit, Value::Unit) => true,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Char(x), Value::Char(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Record(x), Value::Record(y)) => all_equal(x.fields(), y.fields()),
        (Value::List(x), Value::List(y)) => all_equal(x, y),
        (Value::Tag(_, x), Value::Tag(_, y)) => x == y,
        (Value::Variant(x), Value::Variant(y)) => {
            x.tag() == y.tag() && all_equal(x.fields(), y.fields())
        }
        (x, y) if x.compact_parts().is_some() || y.compact_parts().is_some() => {
            match (variant_view(x), variant_view(y)) {
                (Some((t1, f1)), Some((t2, f2))) => t1 == t2 && all_equal(f1.get(), f2.get()),
                _ => false,
            }
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    // SAFETY: the caller's promise covers both maps' values.
                    y.get(k).is_some_and(|w| unsafe { values_equal(v, w) })
                })
        }
        (Value::Func(x), Value::Func(y)) => x == y,
        (Value::Std(x), Value::Std(y)) => std::sync::Arc::ptr_eq(x, y) || x.equals(y),
        (Value::Gc(x), Value::Gc(y)) => x == y,
        // SAFETY: reads of both cells' values; nothing writes meanwhile.
        (Value::Cell(x), Value::Cell(y)) => unsafe {
            values_equal(&*x.value_ptr(), &*y.value_ptr())
        },
        _ => false,
    }
}

/// The fields of a variant, in either form.
#[derive(Debug)]
pub enum Fields<'a> {
    Slice(&'a [Value]),
    One(Value),
}

impl Fields<'_> {
    pub fn get(&self) -> &[Value] {
        match self {
            Fields::Slice(s) => s,
            Fields::One(v) => std::slice::from_ref(v),
        }
    }
}

/// The variant index and fields of an enum value (allocated, compact or a
/// tag alone); `None` for anything else.
pub fn variant_view(v: &Value) -> Option<(u32, Fields<'_>)> {
    match v {
        Value::Variant(x) => Some((x.tag(), Fields::Slice(x.fields()))),
        Value::Tag(_, t) => Some((*t, Fields::Slice(&[]))),
        other => other
            .compact_parts()
            .map(|(_, tag, f)| (tag, Fields::One(f))),
    }
}

fn all_equal(x: &[Value], y: &[Value]) -> bool {
    // One level of recursion per nesting level (see `host_stack`).
    x.len() == y.len()
        // SAFETY: the caller of `values_equal` promised this of the fields.
        && host_stack::grow(|| x.iter().zip(y).all(|(a, b)| unsafe { values_equal(a, b) }))
}

fn compare_all(x: &[Value], y: &[Value]) -> std::cmp::Ordering {
    host_stack::grow(|| compare_each(x, y))
}

fn compare_each(x: &[Value], y: &[Value]) -> std::cmp::Ordering {
    for (a, b) in x.iter().zip(y) {
        // SAFETY: the caller of `compare` promised this of the fields.
        let o = unsafe { compare(a, b) };
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

/// `<`, `>` … on numbers, chars and strings; lists, tuples and options
/// compare lexicographically (for `sort`).
///
/// # Safety
///
/// As [`values_equal`].
pub unsafe fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    // SAFETY: the caller's promise.
    match unsafe { (a.target(), b.target()) } {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Char(x), Value::Char(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Record(x), Value::Record(y)) => compare_all(x.fields(), y.fields()),
        (Value::List(x), Value::List(y)) => compare_all(x, y),
        (Value::Variant(x), Value::Variant(y)) if x.tag() == y.tag() => {
            compare_all(x.fields(), y.fields())
        }
        (x, y) if x.compact_parts().is_some() || y.compact_parts().is_some() => {
            match (variant_view(x), variant_view(y)) {
                (Some((t1, f1)), Some((t2, f2))) if t1 == t2 => compare_all(f1.get(), f2.get()),
                (Some((t1, _)), Some((t2, _))) => t1.cmp(&t2),
                _ => Ordering::Equal,
            }
        }
        // SAFETY: reads of both cells' values; nothing writes meanwhile.
        (Value::Cell(x), Value::Cell(y)) => unsafe { compare(&*x.value_ptr(), &*y.value_ptr()) },
        (l, r) => match (l.tag(), r.tag()) {
            (Some(t1), Some(t2)) => t1.cmp(&t2),
            _ => Ordering::Equal,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::well_known::{OPTION, RESULT};
    use super::{Value, compare, values_equal};

    #[test]
    fn small_variants_need_no_allocation_and_read_as_variants() {
        let mut target = Value::Int(7);
        let cases = [
            (Value::variant(OPTION, 0, vec![Value::Int(3)]), "SomeInt"),
            (
                Value::variant(OPTION, 0, vec![Value::Ref(&raw mut target)]),
                "SomeRef",
            ),
            (Value::variant(RESULT, 0, vec![Value::Unit]), "OkUnit"),
        ];
        for (v, kind) in cases {
            assert!(format!("{v:?}").starts_with(kind), "{v:?}");
            assert!(!v.owns_heap());
            assert_eq!(v.tag(), Some(0));
            let mut expanded = v.clone();
            expanded.expand();
            assert!(matches!(expanded, Value::Variant(_)), "{expanded:?}");
            // SAFETY: the only reference points at `target`, alive here.
            unsafe {
                assert!(values_equal(&v, &expanded));
                assert_eq!(compare(&v, &expanded), std::cmp::Ordering::Equal);
            }
        }
        // Other payloads keep the allocated form.
        let s = Value::variant(OPTION, 0, vec![Value::str("x")]);
        assert!(matches!(s, Value::Variant(_)));
        // And a compact value differs from another variant of its type.
        let none = Value::variant(OPTION, 1, vec![]);
        // SAFETY: no references.
        unsafe {
            assert!(!values_equal(&Value::SomeInt(1), &none));
            assert!(!values_equal(&Value::SomeInt(1), &Value::SomeInt(2)));
        }
    }
}
