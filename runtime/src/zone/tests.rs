use super::*;

const SITE: Site = Site { func: 0, pc: 0 };

fn installed(arena: &Arena) -> Installed {
    // SAFETY: the arena outlives the guard in every test below.
    unsafe { Installed::new(arena) }
}

#[test]
fn allocations_come_from_the_zone_and_go_at_its_end() {
    let arena = Arena::new();
    let _i = installed(&arena);
    arena.enter(256, SITE, 1).expect("a zone");
    let (p, q) = {
        let _r = Route::on();
        (Box::new([1u64; 4]), Box::new([2u64; 4]))
    };
    let (pa, qa) = (
        std::ptr::from_ref(&*p) as usize,
        std::ptr::from_ref(&*q) as usize,
    );
    assert!(arena.owns(pa) && arena.owns(qa));
    assert_eq!(qa - pa, 32, "bumped end to end");
    assert_eq!(arena.innermost(), (64, 256));
    drop(q);
    assert_eq!(arena.innermost().0, 32, "the last allocation is given back");
    drop(p);
    assert!(arena.exit(), "nothing live at the closing brace");
    assert_eq!(arena.stats().allocations, 2);
    assert_eq!(arena.stats().peak_bytes, 64);
    assert_eq!(arena.stats().leaked, 0);
}

#[test]
fn unrouted_allocations_stay_on_the_heap() {
    let arena = Arena::new();
    let _i = installed(&arena);
    arena.enter(64, SITE, 1).expect("a zone");
    let b = Box::new(7u64);
    assert!(!arena.owns(std::ptr::from_ref(&*b) as usize));
    let c = {
        let _r = Route::on();
        unrouted(|| Box::new(8u64))
    };
    assert!(!arena.owns(std::ptr::from_ref(&*c) as usize));
    assert!(arena.exit());
}

#[test]
fn going_past_the_reservation_is_served_elsewhere_and_reported() {
    let arena = Arena::new();
    let _i = installed(&arena);
    arena.enter(32, SITE, 1).expect("a zone");
    let v: Vec<u8> = {
        let _r = Route::on();
        vec![0; 100]
    };
    assert!(!arena.owns(v.as_ptr() as usize));
    assert_eq!(arena.take_exhausted(), Some(100));
    assert_eq!(arena.take_exhausted(), None);
    drop(v);
    assert!(arena.exit());
}

#[test]
fn a_growing_vector_grows_in_place_then_moves_out_when_full() {
    let arena = Arena::new();
    let _i = installed(&arena);
    arena.enter(128, SITE, 1).expect("a zone");
    let mut v: Vec<u64> = Vec::new();
    {
        let _r = Route::on();
        v.reserve_exact(2);
        let first = v.as_ptr() as usize;
        v.extend([1, 2]);
        v.reserve_exact(6);
        assert_eq!(v.as_ptr() as usize, first, "grown in place");
        v.extend([3, 4, 5, 6, 7, 8]);
        v.reserve_exact(100);
    }
    assert!(!arena.owns(v.as_ptr() as usize), "moved to the heap");
    assert_eq!(v, [1, 2, 3, 4, 5, 6, 7, 8]);
    drop(v);
    assert!(arena.exit());
}

#[test]
fn nested_zones_carve_from_the_outer_one() {
    let arena = Arena::new();
    let _i = installed(&arena);
    arena.enter(128, SITE, 1).expect("outer");
    arena.enter(64, Site { func: 0, pc: 9 }, 1).expect("inner");
    assert_eq!(arena.innermost(), (0, 64));
    let err = arena.enter(128, SITE, 1).expect_err("does not fit");
    assert!(matches!(
        err,
        ZoneError::Exhausted {
            capacity: 64,
            asked: 128,
            ..
        }
    ));
    assert!(arena.exit());
    assert_eq!(
        arena.innermost(),
        (0, 128),
        "the inner reservation is given back"
    );
    assert!(arena.exit());
    assert!(!arena.active());
}

#[test]
fn a_value_still_live_at_the_end_keeps_its_memory() {
    let arena = Arena::new();
    let _i = installed(&arena);
    arena.enter(64, SITE, 1).expect("a zone");
    let escaped = {
        let _r = Route::on();
        Box::new(5u64)
    };
    assert!(arena.has_live_allocations());
    assert!(!arena.exit());
    assert_eq!(arena.stats().leaked, 1);
    // The next zone does not reuse the escaped value's bytes.
    arena.enter(64, SITE, 1).expect("next");
    let fresh = {
        let _r = Route::on();
        Box::new(6u64)
    };
    assert_ne!(
        std::ptr::from_ref(&*fresh) as usize,
        std::ptr::from_ref(&*escaped) as usize
    );
    assert_eq!(*escaped, 5);
    drop(fresh);
    assert!(arena.exit());
    drop(escaped);
}

#[test]
fn bad_sizes_are_refused() {
    let arena = Arena::new();
    assert_eq!(arena.enter(0, SITE, 1), Ok(()), "an empty zone is a zone");
    assert!(arena.exit());
    assert_eq!(arena.enter(-5, SITE, 1), Err(ZoneError::BadSize(-5)));
    assert_eq!(
        arena.enter(i64::MAX, SITE, 1),
        Err(ZoneError::BadSize(i64::MAX))
    );
}

#[test]
fn zones_left_by_popped_frames_are_closed() {
    let arena = Arena::new();
    arena.enter(64, SITE, 1).expect("frame 1");
    arena.enter(32, SITE, 3).expect("frame 3");
    arena.exit_frames_above(2);
    assert_eq!(arena.depth(), 1);
    arena.exit_frames_above(0);
    assert!(!arena.active());
}
