//! `Text`: a Ward `String` in one allocation — a thin pointer to a header
//! (length, capacity) with the UTF-8 bytes inline after it. `Box<String>`
//! took two (the box, then the buffer) and two dependent loads to reach a
//! byte. The empty string points at a shared static header of capacity 0
//! and allocates nothing; the first push allocates.
//!
//! A string moved into `Gc::new` inside a record may be laid out *inline*
//! in the GC object (see `inline.rs`): its header then has the [`INLINE`]
//! bit of `cap` set, and dropping it frees nothing. Nothing writes an
//! inline string (a `Gc` gives shared access only); a writer would first
//! move it to an allocation of its own.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error, realloc};
use std::ptr::NonNull;

#[repr(C)]
struct Header {
    len: usize,
    cap: usize,
}

/// The header every empty `Text` shares. Nothing writes through it: every
/// writer first makes room, and capacity 0 means "allocate first".
static EMPTY: Header = Header { len: 0, cap: 0 };

pub struct Text(NonNull<Header>);

// SAFETY: a `Text` owns its allocation exclusively (clone copies it), as a
// `String` does; the shared empty header is never written.
unsafe impl Send for Text {}
// SAFETY: as above; `&Text` only reads.
unsafe impl Sync for Text {}

const HEADER: usize = size_of::<Header>();

/// The bit of a header's `cap` that says the string lives inside a GC
/// object rather than in its own allocation.
const INLINE: usize = 1 << (usize::BITS - 1);

fn layout(cap: usize) -> Layout {
    match HEADER
        .checked_add(cap)
        .and_then(|size| Layout::from_size_align(size, align_of::<Header>()).ok())
    {
        Some(l) => l,
        None => capacity_overflow(),
    }
}

/// The bytes of the allocation a string of capacity `cap` takes.
pub fn alloc_bytes(cap: usize) -> usize {
    HEADER.saturating_add(cap)
}

#[cold]
fn capacity_overflow() -> ! {
    panic!("string capacity overflow")
}

impl Text {
    pub const fn new() -> Text {
        Text(NonNull::from_ref(&EMPTY))
    }

    pub fn with_capacity(cap: usize) -> Text {
        if cap == 0 {
            return Text::new();
        }
        // The allocator hands out blocks in multiples of 16 bytes anyway:
        // asking for the whole block lets a short append (a word and its
        // number) fit without a reallocation.
        let cap = (HEADER + cap).next_multiple_of(16) - HEADER;
        let l = layout(cap);
        // SAFETY: the layout has a non-zero size (header plus `cap`).
        let raw = unsafe { alloc(l) };
        // The layout is aligned for `Header` (it starts with one).
        #[allow(clippy::cast_ptr_alignment)]
        let p = raw.cast::<Header>();
        let Some(p) = NonNull::new(p) else {
            handle_alloc_error(l)
        };
        // SAFETY: a fresh allocation, aligned for the header.
        unsafe { p.write(Header { len: 0, cap }) };
        Text(p)
    }

    fn header(&self) -> &Header {
        // SAFETY: the pointer is the static empty header or this text's
        // own live allocation, which starts with an initialised header.
        unsafe { self.0.as_ref() }
    }

    pub fn len(&self) -> usize {
        self.header().len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> usize {
        self.header().cap & !INLINE
    }

    /// Whether it lives inside a GC object (see the module comment).
    pub(crate) fn is_inline(&self) -> bool {
        self.header().cap & INLINE != 0
    }

    /// Bytes of its own allocation (0 for an empty one that never grew,
    /// and for one inside a GC object).
    pub fn heap_bytes(&self) -> usize {
        match self.header().cap {
            0 => 0,
            cap if cap & INLINE != 0 => 0,
            cap => HEADER + cap,
        }
    }

    /// Bytes it takes laid out inline: its header and bytes, rounded up
    /// to 16 (0 when empty: the shared header stays).
    pub(crate) fn inline_bytes(&self) -> usize {
        match self.len() {
            0 => 0,
            len => (HEADER + len).next_multiple_of(16),
        }
    }

    /// The address of its header.
    pub(crate) fn addr(&self) -> *mut u8 {
        self.0.as_ptr().cast()
    }

    /// Points this handle at another copy of its header and bytes (the GC
    /// object holding it moved).
    ///
    /// # Safety
    /// `to` holds a header and bytes equal to this string's, 8-byte
    /// aligned, and the memory this handle pointed to is not freed
    /// through it.
    pub(crate) unsafe fn repoint(&mut self, to: *mut u8) {
        // Inline headers are written at 16-byte offsets of 16-byte-aligned
        // GC objects, so `to` is aligned for one.
        #[allow(clippy::cast_ptr_alignment)]
        let to = to.cast::<Header>();
        // SAFETY: the caller's promise: a non-null copy.
        self.0 = unsafe { NonNull::new_unchecked(to) };
    }

    /// Copies the header and bytes to `dst`, marked inline, repoints this
    /// handle there and frees the old allocation. An empty string stays
    /// as it is (it has no allocation).
    ///
    /// # Safety
    /// The string is not inline; `dst` has room for
    /// [`Text::inline_bytes`] bytes, 16-byte aligned, and nothing else
    /// uses them.
    pub(crate) unsafe fn move_inline(&mut self, dst: *mut u8) {
        debug_assert!(!self.is_inline());
        let len = self.len();
        if len == 0 {
            return;
        }
        // SAFETY: the caller's promise: `dst` has room for a header and
        // `len` bytes and is aligned for a header; the source bytes are
        // this string's, initialised.
        unsafe {
            #[allow(clippy::cast_ptr_alignment)]
            dst.cast::<Header>().write(Header {
                len,
                cap: len | INLINE,
            });
            std::ptr::copy_nonoverlapping(self.bytes_ptr(), dst.add(HEADER), len);
        }
        let old = std::mem::take(self);
        drop(old);
        // SAFETY: just written there.
        unsafe { self.repoint(dst) };
    }

    /// Moves an inline string's header and bytes into an allocation of its
    /// own (it is leaving its GC object, or is about to be written).
    pub(crate) fn move_to_heap(&mut self) {
        if self.is_inline() {
            let own = Text::from(self.as_str());
            // The inline copy is the GC object's memory: forgotten, not
            // freed (its drop would free nothing anyway).
            std::mem::forget(std::mem::replace(self, own));
        }
    }

    fn bytes_ptr(&self) -> *mut u8 {
        // SAFETY: one past the header is inside (or one past the end of)
        // the same allocation or static.
        unsafe { self.0.as_ptr().cast::<u8>().add(HEADER) }
    }

    pub fn as_str(&self) -> &str {
        let len = self.len();
        if len == 0 {
            return "";
        }
        // SAFETY: the first `len` bytes after the header are initialised
        // and valid UTF-8: only `push_str` writes them, from a `&str`.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(self.bytes_ptr(), len)) }
    }

    /// Makes room for `extra` more bytes, growing at least twofold.
    pub fn reserve(&mut self, extra: usize) {
        if self.is_inline() {
            self.move_to_heap();
        }
        let (len, cap) = (self.len(), self.capacity());
        let need = len
            .checked_add(extra)
            .unwrap_or_else(|| capacity_overflow());
        if need <= cap {
            return;
        }
        let new_cap = need.max(cap.saturating_mul(2)).max(16);
        if cap == 0 {
            *self = Text::with_capacity(new_cap);
            return;
        }
        let new = layout(new_cap);
        // SAFETY: the allocation is ours, made with `layout(cap)`; the new
        // size is non-zero and `layout` checked it fits an isize.
        let p = unsafe { realloc(self.0.as_ptr().cast(), layout(cap), new.size()) };
        // Same alignment as the block it replaces.
        #[allow(clippy::cast_ptr_alignment)]
        let p = p.cast::<Header>();
        let Some(p) = NonNull::new(p) else {
            handle_alloc_error(new)
        };
        // SAFETY: the reallocated block keeps the header; we own it.
        unsafe { (*p.as_ptr()).cap = new_cap };
        self.0 = p;
    }

    pub fn push_str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.reserve(s.len());
        let len = self.len();
        // SAFETY: `reserve` made room for `s.len()` bytes after `len` in
        // our own allocation (capacity > 0, so not the static header), and
        // `s` cannot overlap it: a `&str` into this text would borrow it.
        unsafe {
            std::ptr::copy_nonoverlapping(s.as_ptr(), self.bytes_ptr().add(len), s.len());
            (*self.0.as_ptr()).len = len + s.len();
        }
    }

    /// The decimal digits of `i` (`i.to_string()` without the formatter).
    pub fn from_int(i: i64) -> Text {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = i.unsigned_abs();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let mut t = Text::with_capacity(digits.len() - at + 1);
        if i < 0 {
            t.push_str("-");
        }
        // The digits are ASCII.
        t.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
        t
    }

    pub fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::new()
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        let cap = self.header().cap;
        if cap > 0 && cap & INLINE == 0 {
            // SAFETY: a text with capacity, not inline, owns an allocation
            // made with `layout(cap)`.
            unsafe { dealloc(self.0.as_ptr().cast(), layout(cap)) };
        }
    }
}

impl Clone for Text {
    fn clone(&self) -> Text {
        Text::from(self.as_str())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        let mut t = Text::with_capacity(s.len());
        t.push_str(s);
        t
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::from(s.as_str())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::from(s.as_str())
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Text;
    use std::fmt::Write as _;

    #[test]
    fn grows_from_empty_without_touching_the_shared_header() {
        let mut a = Text::new();
        let b = Text::new();
        assert_eq!(a.heap_bytes(), 0);
        for i in 0..100 {
            a.push_str("ab");
            a.push('é');
            write!(a, "{i}").expect("writes");
        }
        assert!(a.len() > 400 && a.capacity() >= a.len());
        assert!(a.starts_with("abé0abé1"));
        assert!(b.is_empty() && b.capacity() == 0);
        assert_eq!(Text::new().as_str(), "");
    }

    #[test]
    fn integers_print_as_rust_prints_them() {
        for i in [0, 7, -7, 10, -10, 1_000, i64::MAX, i64::MIN, 123_456_789] {
            assert_eq!(Text::from_int(i).as_str(), i.to_string());
        }
    }

    #[test]
    fn clones_compare_and_order_as_strings() {
        let a = Text::from("bed-12");
        let c = a.clone();
        assert_eq!(a, c);
        assert!(Text::from("bed-1") < a);
        assert_eq!(format!("{a} {c:?}"), "bed-12 \"bed-12\"");
        assert_eq!(Text::from(String::new()).heap_bytes(), 0);
    }
}
