//! Hidden classes for JSON objects (LANGUAGE.md §11), as V8 has them: an
//! object holds its values in insertion order and a pointer to a shared
//! [`Shape`], the list of its keys. Objects built by adding the same keys
//! in the same order share one shape, found by following *transitions*
//! from the empty shape: `{}` —"resourceType"→ `{resourceType}` —"id"→
//! `{resourceType, id}`. A property-access site that has seen a shape
//! before remembers it with the key's offset (see [`Shape::id`]), so
//! reading the same member of a thousand FHIR resources is one comparison
//! and an indexed load.
//!
//! Shapes are shared by every task of the process (a `Json` is `Send`).
//! A shape keeps its parent alive; a parent holds its transitions weakly,
//! so the tree holds only the shapes some live object uses, whatever keys
//! a peer sends. An object with more than [`MAX_SHARED_KEYS`] keys, or one
//! whose keys a shape has seen too many siblings of, gets a shape of its
//! own (V8's dictionary mode).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError, Weak};

/// Beyond this many keys, an object's shape is its own.
pub const MAX_SHARED_KEYS: usize = 64;

/// Beyond this many live transitions from one shape, new ones are not
/// shared (an object keyed by identifiers is a dictionary, not a record).
const MAX_TRANSITIONS: usize = 512;

/// Up to this many keys, a lookup is a scan; beyond, a hash map.
const SCAN_KEYS: usize = 8;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

static ROOT: LazyLock<Arc<Shape>> = LazyLock::new(|| Arc::new(Shape::new(Vec::new(), None, true)));

/// The keys of a family of objects, in insertion order.
#[derive(Debug)]
pub struct Shape {
    /// Never reused, unlike the shape's address: what an inline cache
    /// remembers.
    id: u64,
    keys: Vec<Arc<str>>,
    /// Key to offset, for shapes with many keys.
    index: Option<HashMap<Arc<str>, u32>>,
    /// The shape this one extends by its last key (kept alive by it).
    parent: Option<Arc<Shape>>,
    /// Whether the shape is in the transition tree (shared by objects).
    shared: bool,
    transitions: Mutex<HashMap<Arc<str>, Weak<Shape>>>,
}

impl Shape {
    fn new(keys: Vec<Arc<str>>, parent: Option<Arc<Shape>>, shared: bool) -> Shape {
        let index = (keys.len() > SCAN_KEYS).then(|| {
            keys.iter()
                .enumerate()
                .map(|(i, k)| (k.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
                .collect()
        });
        Shape {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            keys,
            index,
            parent,
            shared,
            transitions: Mutex::new(HashMap::new()),
        }
    }

    /// The shape of `{}`.
    pub fn root() -> Arc<Shape> {
        ROOT.clone()
    }

    /// A number no other shape of this process has had.
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn keys(&self) -> &[Arc<str>] {
        &self.keys
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether objects share this shape through the transition tree.
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// The offset of `key` in objects of this shape.
    pub fn find(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).map(|&i| i as usize),
            None => self.keys.iter().position(|k| &**k == key),
        }
    }

    /// The shape of an object of this shape with `key` added last
    /// (`key` must not be one of its keys).
    pub fn with(self: &Arc<Shape>, key: &str) -> Arc<Shape> {
        if !self.shared || self.keys.len() >= MAX_SHARED_KEYS {
            return self.unshared_with(key);
        }
        let mut transitions = self
            .transitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(next) = transitions.get(key).and_then(Weak::upgrade) {
            return next;
        }
        if transitions.len() >= MAX_TRANSITIONS {
            // Forget the shapes no object uses any more before giving up
            // on sharing.
            transitions.retain(|_, w| w.strong_count() > 0);
            if transitions.len() >= MAX_TRANSITIONS {
                drop(transitions);
                return self.unshared_with(key);
            }
        }
        let key: Arc<str> = Arc::from(key);
        let mut keys = Vec::with_capacity(self.keys.len() + 1);
        keys.extend(self.keys.iter().cloned());
        keys.push(key.clone());
        let next = Arc::new(Shape::new(keys, Some(self.clone()), true));
        transitions.insert(key, Arc::downgrade(&next));
        next
    }

    fn unshared_with(&self, key: &str) -> Arc<Shape> {
        let mut keys = Vec::with_capacity(self.keys.len() + 1);
        keys.extend(self.keys.iter().cloned());
        keys.push(Arc::from(key));
        Arc::new(Shape::new(keys, None, false))
    }

    /// The shape of an object with these keys, in order.
    pub fn of_keys<'k>(keys: impl IntoIterator<Item = &'k str>) -> Arc<Shape> {
        keys.into_iter().fold(Shape::root(), |s, k| s.with(k))
    }

    /// This shape without the key at `offset` (the remaining keys keep
    /// their order).
    pub fn without(&self, offset: usize) -> Arc<Shape> {
        Shape::of_keys(
            self.keys
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != offset)
                .map(|(_, k)| &**k),
        )
    }

    /// How many shapes the tree under this one holds now (for tests and
    /// the benchmark's report).
    pub fn live_descendants(&self) -> usize {
        let children: Vec<Arc<Shape>> = self
            .transitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .filter_map(Weak::upgrade)
            .collect();
        children.iter().map(|c| 1 + c.live_descendants()).sum()
    }

    /// The shape this one extends.
    pub fn parent(&self) -> Option<&Arc<Shape>> {
        self.parent.as_ref()
    }
}

// A shape no object uses leaves its parent's transitions at once, so the
// tree holds exactly the shapes of live objects (a dead entry would keep
// the shape's allocation, which its weak reference pins).
impl Drop for Shape {
    fn drop(&mut self) {
        let (Some(parent), Some(key)) = (&self.parent, self.keys.last()) else {
            return;
        };
        let me: *const Shape = self;
        let mut transitions = parent
            .transitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Another thread may have put a new shape under the key since.
        if transitions
            .get(key)
            .is_some_and(|w| std::ptr::eq(w.as_ptr(), me))
        {
            transitions.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_keys_in_the_same_order_share_a_shape() {
        let a = Shape::of_keys(["resourceType", "id", "name"]);
        let b = Shape::of_keys(["resourceType", "id", "name"]);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.find("id"), Some(1));
        assert_eq!(a.find("gender"), None);
        let c = Shape::of_keys(["id", "resourceType", "name"]);
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(Arc::ptr_eq(
            a.parent().unwrap(),
            &Shape::of_keys(["resourceType", "id"])
        ));
    }

    #[test]
    fn unused_shapes_are_freed_and_ids_never_repeat() {
        let root = Shape::of_keys(["__shape_test_root"]);
        let first = root.with("x").id();
        assert_eq!(root.live_descendants(), 0, "nothing holds the child");
        assert!(
            root.transitions.lock().unwrap().is_empty(),
            "its entry is gone"
        );
        let again = root.with("x");
        assert_ne!(again.id(), first, "a new shape gets a new id");
        assert_eq!(root.live_descendants(), 1);
    }

    #[test]
    fn many_keys_get_an_index_and_then_a_shape_of_their_own() {
        let keys: Vec<String> = (0..80).map(|i| format!("k{i}")).collect();
        let s = Shape::of_keys(keys.iter().map(String::as_str));
        assert_eq!(s.find("k70"), Some(70));
        assert!(!s.is_shared());
        let t = Shape::of_keys(keys[..10].iter().map(String::as_str));
        assert!(t.is_shared());
        assert_eq!(t.find("k9"), Some(9));
        assert_eq!(t.without(0).keys()[0].as_ref(), "k1");
    }

    #[test]
    fn a_shape_with_too_many_siblings_stops_sharing() {
        let base = Shape::of_keys(["__siblings"]);
        let kept: Vec<Arc<Shape>> = (0..MAX_TRANSITIONS + 5)
            .map(|i| base.with(&format!("id{i}")))
            .collect();
        assert!(kept[0].is_shared());
        assert!(!kept[MAX_TRANSITIONS + 1].is_shared());
    }
}
