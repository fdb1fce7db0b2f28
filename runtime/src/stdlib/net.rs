//! TCP sockets for `std::net`: non-blocking `mio` sockets registered with
//! the I/O driver (`sched::io`), so a task waiting on one suspends and the
//! worker runs others. What each keeps across a suspension lives here: a
//! stream's partial UTF-8 character and how much of a write has gone out
//! (a native that suspends runs again from its start when woken).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::sched::io::{Direction, Registration};

/// A connection.
#[derive(Debug)]
pub struct Stream {
    // The socket closes before its slot is freed (fields drop in order).
    sock: mio::net::TcpStream,
    reg: Registration,
    /// `None`: reads wait as long as it takes.
    pub read_timeout: Option<Duration>,
    /// The start of a UTF-8 character a text read ended inside.
    carry: Vec<u8>,
    /// Bytes of the write in progress already sent.
    written: usize,
}

/// A listening socket.
#[derive(Debug)]
pub struct Listener {
    sock: mio::net::TcpListener,
    reg: Registration,
}

/// A connection being made (`connect` waits for it to finish).
#[derive(Debug)]
pub struct Connecting {
    stream: Option<Stream>,
}

/// The first address `text` (`host:port`) resolves to.
///
/// # Errors
///
/// When it is not an address or names no host.
pub fn resolve(text: &str) -> io::Result<SocketAddr> {
    text.to_socket_addrs()?.next().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("{text} resolves to no address"),
        )
    })
}

impl Listener {
    /// Binds and listens on `addr` (port 0: one the OS picks).
    ///
    /// # Errors
    ///
    /// As the OS's `bind` and `listen`.
    pub fn bind(addr: SocketAddr) -> io::Result<Listener> {
        let mut sock = mio::net::TcpListener::bind(addr)?;
        let reg = Registration::new(&mut sock)?;
        Ok(Listener { sock, reg })
    }

    /// The address it listens on, with the port the OS chose.
    ///
    /// # Errors
    ///
    /// As the OS's `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.local_addr()
    }

    /// A connection if one is waiting; `None` after leaving `waker`.
    pub fn try_accept(&self, waker: &std::task::Waker) -> Option<io::Result<Stream>> {
        let r =
            crate::sched::io::attempt(&self.reg, Direction::Read, waker, || self.sock.accept())?;
        Some(r.and_then(|(sock, _)| Stream::new(sock)))
    }
}

impl Connecting {
    /// Starts connecting to `addr`.
    ///
    /// # Errors
    ///
    /// When the OS refuses at once.
    pub fn start(addr: SocketAddr) -> io::Result<Connecting> {
        let sock = mio::net::TcpStream::connect(addr)?;
        Ok(Connecting {
            stream: Some(Stream::new(sock)?),
        })
    }

    /// The connection once made (or why it failed); `None` while it is
    /// being made, after leaving `waker`.
    pub fn poll(&mut self, waker: &std::task::Waker) -> Option<io::Result<Stream>> {
        let stream = self.stream.as_ref()?;
        // mio's recipe: once writable, an error is in SO_ERROR, and a
        // socket without a peer is still connecting.
        let r = crate::sched::io::attempt(&stream.reg, Direction::Write, waker, || {
            if let Some(e) = stream.sock.take_error()? {
                return Err(e);
            }
            match stream.sock.peer_addr() {
                Ok(_) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                    Err(io::ErrorKind::WouldBlock.into())
                }
                Err(e) => Err(e),
            }
        })?;
        Some(r.and_then(|()| {
            self.stream
                .take()
                .ok_or_else(|| io::Error::other("the connection was already taken"))
        }))
    }
}

impl Stream {
    fn new(mut sock: mio::net::TcpStream) -> io::Result<Stream> {
        // Messages are small and answered at once: no Nagle delay.
        sock.set_nodelay(true)?;
        let reg = Registration::new(&mut sock)?;
        Ok(Stream {
            sock,
            reg,
            read_timeout: None,
            carry: Vec::new(),
            written: 0,
        })
    }

    /// # Errors
    ///
    /// As the OS's `getpeername`.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.sock.peer_addr()
    }

    /// # Errors
    ///
    /// As the OS's `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.local_addr()
    }

    /// What has arrived, up to 64 KiB (empty at the end of the stream);
    /// `None` after leaving `waker`.
    pub fn try_read_bytes(&mut self, waker: &std::task::Waker) -> Option<io::Result<Vec<u8>>> {
        let mut buf = vec![0u8; 64 * 1024];
        let sock = &self.sock;
        let r = crate::sched::io::attempt(&self.reg, Direction::Read, waker, || {
            (&*sock).read(&mut buf)
        })?;
        Some(r.map(|n| {
            buf.truncate(n);
            buf
        }))
    }

    /// What has arrived, as text: a character cut by the read's end is
    /// kept for the next. `Err` (`InvalidData`) for bytes that are not
    /// UTF-8, and for a stream that ends inside a character.
    pub fn try_read_text(&mut self, waker: &std::task::Waker) -> Option<io::Result<String>> {
        let bytes = match self.try_read_bytes(waker)? {
            Ok(b) => b,
            Err(e) => return Some(Err(e)),
        };
        if bytes.is_empty() && !self.carry.is_empty() {
            self.carry.clear();
            return Some(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the stream ended inside a UTF-8 character",
            )));
        }
        let mut all = std::mem::take(&mut self.carry);
        all.extend_from_slice(&bytes);
        Some(match String::from_utf8(all) {
            Ok(s) => Ok(s),
            Err(e) => {
                let good = e.utf8_error().valid_up_to();
                let mut all = e.into_bytes();
                // Only an incomplete character at the very end may wait
                // for more; anything else is not UTF-8.
                if is_cut_char(&all[good..]) {
                    self.carry = all.split_off(good);
                    String::from_utf8(all).map_err(|_| invalid_utf8())
                } else {
                    Err(invalid_utf8())
                }
            }
        })
    }

    /// Writes all of `data`: `None` (after leaving `waker`) while the
    /// socket is full; what was sent is remembered for the next try of
    /// the same write.
    pub fn try_write(&mut self, data: &[u8], waker: &std::task::Waker) -> Option<io::Result<()>> {
        loop {
            if self.written >= data.len() {
                self.written = 0;
                return Some(Ok(()));
            }
            let sock = &self.sock;
            let rest = &data[self.written..];
            match crate::sched::io::attempt(&self.reg, Direction::Write, waker, || {
                (&*sock).write(rest)
            })? {
                Ok(0) => {
                    self.written = 0;
                    return Some(Err(io::ErrorKind::WriteZero.into()));
                }
                Ok(n) => self.written += n,
                Err(e) => {
                    self.written = 0;
                    return Some(Err(e));
                }
            }
        }
    }

    /// Forgets a write in progress (its native gave up: a timeout).
    pub fn abandon_write(&mut self) {
        self.written = 0;
    }
}

fn invalid_utf8() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "the stream is not UTF-8 text")
}

/// Whether `tail` (what follows the valid UTF-8) is the start of one
/// character, cut short.
fn is_cut_char(tail: &[u8]) -> bool {
    let Some(&lead) = tail.first() else {
        return false;
    };
    let len = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return false,
    };
    tail.len() < len && tail[1..].iter().all(|b| b & 0xC0 == 0x80)
}

#[cfg(test)]
mod tests {
    use super::is_cut_char;

    #[test]
    fn only_the_start_of_a_character_waits_for_more() {
        assert!(is_cut_char(&[0xC3]));
        assert!(is_cut_char(&[0xE2, 0x82]));
        assert!(is_cut_char(&[0xF0, 0x9F, 0x98]));
        assert!(!is_cut_char(&[0xE2, 0x82, 0xAC]), "complete");
        assert!(!is_cut_char(&[0xFF]), "never UTF-8");
        assert!(!is_cut_char(&[0xC3, 0x41]), "not a continuation");
        assert!(!is_cut_char(&[]));
    }
}
