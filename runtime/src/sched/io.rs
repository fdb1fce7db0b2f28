//! The I/O driver: one thread, `ward-io`, waits on every socket of the
//! process with the OS's readiness API (epoll, kqueue; through `mio`) and
//! wakes the task waiting on one when it becomes readable or writable.
//!
//! A native doing I/O tries the operation on a non-blocking socket; on
//! `WouldBlock` it leaves its waker in the socket's slot ([`Registration::
//! wait`]) and tries once more — readiness is edge-triggered, so an event
//! that came between the first try and the waker being left would
//! otherwise be lost — then suspends its task (or parks its thread, see
//! `Vm::wait_for`). The event wakes the waker, the task runs again and
//! repeats the native, which now finds its data. Tokio's I/O driver works
//! the same way.

use std::io;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::task::Waker;

use mio::{Events, Interest, Poll, Registry, Token, event::Source};

/// What a socket's waiters left: the task to wake when it can be read,
/// and the one to wake when it can be written.
#[derive(Debug, Default)]
struct Slot {
    read: Option<Waker>,
    write: Option<Waker>,
    live: bool,
}

#[derive(Debug)]
struct Driver {
    registry: Registry,
    slots: Mutex<Slots>,
}

#[derive(Debug, Default)]
struct Slots {
    slots: Vec<Slot>,
    free: Vec<usize>,
}

/// The process's driver, started by the first socket.
static DRIVER: LazyLock<Result<Arc<Driver>, String>> = LazyLock::new(start);

fn start() -> Result<Arc<Driver>, String> {
    let poll = Poll::new().map_err(|e| format!("the I/O driver cannot start: {e}"))?;
    let registry = poll
        .registry()
        .try_clone()
        .map_err(|e| format!("the I/O driver cannot start: {e}"))?;
    let driver = Arc::new(Driver {
        registry,
        slots: Mutex::new(Slots::default()),
    });
    let d = driver.clone();
    std::thread::Builder::new()
        .name("ward-io".into())
        .spawn(move || run(poll, &d))
        .map_err(|e| format!("the I/O driver cannot start: {e}"))?;
    Ok(driver)
}

/// The driver thread: waits for events and wakes their waiters, forever
/// (it owns nothing a run needs back).
fn run(mut poll: Poll, driver: &Driver) {
    let mut events = Events::with_capacity(256);
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            // Nothing sensible is left to do: waiters time out or are
            // cancelled by their runs.
            return;
        }
        let mut wake = Vec::new();
        {
            let mut slots = driver.slots.lock().unwrap_or_else(PoisonError::into_inner);
            for ev in &events {
                let Some(slot) = slots.slots.get_mut(ev.token().0) else {
                    continue;
                };
                if ev.is_readable() || ev.is_read_closed() || ev.is_error() {
                    wake.extend(slot.read.take());
                }
                if ev.is_writable() || ev.is_write_closed() || ev.is_error() {
                    wake.extend(slot.write.take());
                }
            }
        }
        for w in wake {
            w.wake();
        }
    }
}

/// Which way a waiter waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Read,
    Write,
}

/// A socket registered with the driver; its slot is freed when dropped
/// (after the socket: closing it takes it out of the OS's interest list).
#[derive(Debug)]
pub struct Registration {
    driver: Arc<Driver>,
    token: usize,
}

impl Registration {
    /// Registers `source` for both directions.
    ///
    /// # Errors
    ///
    /// When the driver cannot start or the OS refuses the registration.
    pub fn new(source: &mut impl Source) -> io::Result<Registration> {
        let driver = DRIVER
            .as_ref()
            .map_err(|e| io::Error::other(e.clone()))?
            .clone();
        let token = {
            let mut s = driver.slots.lock().unwrap_or_else(PoisonError::into_inner);
            let token = s.free.pop().unwrap_or_else(|| {
                s.slots.push(Slot::default());
                s.slots.len() - 1
            });
            s.slots[token] = Slot {
                live: true,
                ..Slot::default()
            };
            token
        };
        if let Err(e) = driver.registry.register(
            source,
            Token(token),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            Registration::free(&driver, token);
            return Err(e);
        }
        Ok(Registration { driver, token })
    }

    fn free(driver: &Driver, token: usize) {
        let mut s = driver.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = s.slots.get_mut(token)
            && slot.live
        {
            *slot = Slot::default();
            s.free.push(token);
        }
    }

    /// Leaves `waker` to be woken when the socket is ready in `direction`.
    pub fn wait(&self, direction: Direction, waker: &Waker) {
        let mut s = self
            .driver
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = s.slots.get_mut(self.token) {
            let place = match direction {
                Direction::Read => &mut slot.read,
                Direction::Write => &mut slot.write,
            };
            match place {
                Some(w) if w.will_wake(waker) => {}
                _ => *place = Some(waker.clone()),
            }
        }
    }

    /// Deregisters `source` (before it closes) and frees the slot.
    pub fn deregister(self, source: &mut impl Source) {
        // An error means the OS already forgot the socket.
        let _ = self.driver.registry.deregister(source);
        // `Drop` frees the slot.
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        Registration::free(&self.driver, self.token);
    }
}

/// Runs `op` on a non-blocking socket: its result, or, on `WouldBlock`,
/// `None` after leaving `waker` for `direction` (and trying once more).
/// `Interrupted` is retried.
pub fn attempt<T>(
    reg: &Registration,
    direction: Direction,
    waker: &Waker,
    mut op: impl FnMut() -> io::Result<T>,
) -> Option<io::Result<T>> {
    let mut left_waker = false;
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if left_waker {
                    return None;
                }
                reg.wait(direction, waker);
                left_waker = true;
            }
            other => return Some(other),
        }
    }
}
