//! `IterBox`: the heap cell behind `Value::Iter`, recycled. A `for` loop
//! makes its iterator when the loop starts, so a loop nested in another
//! would otherwise allocate (and free) one at every step of the outer loop.
//! A dropped iterator's box goes to a small per-thread spare list that the
//! next iterator takes first, as an allocator's size class would; a
//! `chars()` iterator also keeps its text buffer for the next one.

use std::cell::RefCell;

use super::Iter;

/// How many spare boxes a thread keeps.
const SPARE_BOXES: usize = 16;
/// The largest text buffer a spare `chars()` iterator keeps.
const SPARE_TEXT: usize = 4096;

type Spares = RefCell<Vec<Box<Iter>>>;

thread_local! {
    /// Empty boxes.
    static SPARE: Spares = const { RefCell::new(Vec::new()) };
    /// Boxes of `chars()` iterators, each with its text buffer.
    static SPARE_CHARS: Spares = const { RefCell::new(Vec::new()) };
}

fn take(list: &'static std::thread::LocalKey<Spares>) -> Option<Box<Iter>> {
    list.try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.pop()))
        .ok()
        .flatten()
}

/// Keeps `b` for later if the list has room; during the thread's teardown
/// the list may be gone, and then the box is simply freed.
fn keep(list: &'static std::thread::LocalKey<Spares>, b: Box<Iter>) {
    // A zone's block goes back to the zone, never to a cache that outlives
    // it; and the list's own growth must not come from a zone.
    let in_zone = crate::zone::is_zone_memory(std::ptr::from_ref::<Iter>(&b).cast())
        || matches!(&*b, Iter::Chars { text, .. } if crate::zone::is_zone_memory(text.as_ptr()));
    if in_zone {
        return;
    }
    let _unrouted = crate::zone::Unrouted::new();
    let _ = list.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut()
            && s.len() < SPARE_BOXES
        {
            s.push(b);
        }
    });
}

fn spare() -> Option<Box<Iter>> {
    take(&SPARE).or_else(|| take(&SPARE_CHARS))
}

/// An iterator in a box of its own (8 bytes in a `Value`).
pub struct IterBox(Option<Box<Iter>>);

impl IterBox {
    pub fn new(it: Iter) -> IterBox {
        match spare() {
            Some(mut b) => {
                *b = it;
                IterBox(Some(b))
            }
            None => IterBox(Some(Box::new(it))),
        }
    }

    /// An iterator over the chars of a copy of `s`, in a spare `chars()`
    /// box's buffer when there is one.
    pub fn chars(s: &str) -> IterBox {
        if let Some(mut b) = take(&SPARE_CHARS)
            && let Iter::Chars { text, pos } = &mut *b
        {
            text.clear();
            text.push_str(s);
            *pos = 0;
            return IterBox(Some(b));
        }
        IterBox::new(Iter::Chars {
            text: s.to_string(),
            pos: 0,
        })
    }
}

impl std::ops::Deref for IterBox {
    type Target = Iter;
    fn deref(&self) -> &Iter {
        match &self.0 {
            Some(b) => b,
            None => unreachable!("an IterBox is emptied only by its drop"),
        }
    }
}

impl std::ops::DerefMut for IterBox {
    fn deref_mut(&mut self) -> &mut Iter {
        match &mut self.0 {
            Some(b) => b,
            None => unreachable!("an IterBox is emptied only by its drop"),
        }
    }
}

impl std::fmt::Debug for IterBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Iter")
    }
}

impl Drop for IterBox {
    fn drop(&mut self) {
        let Some(mut b) = self.0.take() else {
            return;
        };
        if matches!(&*b, Iter::Chars { text, .. } if text.capacity() <= SPARE_TEXT) {
            keep(&SPARE_CHARS, b);
        } else {
            // Drops what the iterator owned (remaining values, a big text).
            *b = Iter::Range { next: 0, end: 0 };
            keep(&SPARE, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Iter, IterBox};

    #[test]
    fn a_recycled_box_starts_afresh() {
        for round in 0..3 {
            let mut it = IterBox::chars(if round == 1 { "xy" } else { "abc" });
            let Iter::Chars { text, pos } = &mut *it else {
                panic!("a chars iterator");
            };
            assert_eq!(
                (text.as_str(), *pos),
                (if round == 1 { "xy" } else { "abc" }, 0)
            );
            *pos = 2;
            drop(it);
            let r = IterBox::new(Iter::Range { next: 5, end: 9 });
            assert!(matches!(*r, Iter::Range { next: 5, end: 9 }));
        }
    }
}
