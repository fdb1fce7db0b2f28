//! MLLP, the Minimal Lower Layer Protocol (HL7 v2.5 appendix C): each
//! message travels as `0x0B`, the message, `0x1C 0x0D`. A [`Reader`]
//! splits whatever a TCP stream delivers into messages: frames cut across
//! reads, several in one read, and bytes before a frame's `0x0B` (noise
//! on the line, a peer that does not frame), which are counted and
//! dropped.

/// Start of block.
pub const START: char = '\u{0b}';
/// End of block, then a carriage return.
pub const END: char = '\u{1c}';

/// A message in its frame.
pub fn frame(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 3);
    out.push(START);
    out.push_str(message);
    out.push(END);
    out.push('\r');
    out
}

/// The message inside one frame.
///
/// # Errors
///
/// When `data` is not exactly one frame.
pub fn unframe(data: &str) -> Result<&str, String> {
    let inner = data
        .strip_prefix(START)
        .ok_or_else(|| "an MLLP frame starts with 0x0B".to_string())?;
    let inner = inner
        .strip_suffix("\u{1c}\r")
        .or_else(|| inner.strip_suffix(END))
        .ok_or_else(|| "an MLLP frame ends with 0x1C 0x0D".to_string())?;
    if inner.contains(START) || inner.contains(END) {
        return Err("more than one MLLP frame".to_string());
    }
    Ok(inner)
}

/// The largest frame a reader keeps (a peer that never ends one cannot
/// take the process's memory).
pub const DEFAULT_MAX_FRAME: usize = 16 << 20;

/// Splits a stream into messages.
#[derive(Debug, Clone)]
pub struct Reader {
    /// From a frame's `0x0B` (exclusive) on.
    buf: String,
    in_frame: bool,
    /// The last frame ended with `0x1C` at the very end of a read: a
    /// `0x0D` starting the next is its terminator.
    skip_cr: bool,
    discarded: usize,
    max_frame: usize,
}

impl Default for Reader {
    fn default() -> Self {
        Reader::new(DEFAULT_MAX_FRAME)
    }
}

impl Reader {
    pub fn new(max_frame: usize) -> Reader {
        Reader {
            buf: String::new(),
            in_frame: false,
            skip_cr: false,
            discarded: 0,
            max_frame,
        }
    }

    /// Characters dropped outside frames so far.
    pub fn discarded(&self) -> usize {
        self.discarded
    }

    /// Characters of a frame begun and not yet ended.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Takes in what arrived; gives the messages whose frames it
    /// completed, in order.
    ///
    /// # Errors
    ///
    /// When a frame grows past the limit: it is dropped, and reading
    /// goes on from the next `0x0B`. Messages completed before it in the
    /// same data are lost with it only if they came after it.
    pub fn push(&mut self, data: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        let mut rest = data;
        if self.skip_cr && !rest.is_empty() {
            self.skip_cr = false;
            rest = rest.strip_prefix('\r').unwrap_or(rest);
        }
        while !rest.is_empty() {
            if self.in_frame {
                match rest.find([END, START]) {
                    Some(i) if rest[i..].starts_with(END) => {
                        self.buf.push_str(&rest[..i]);
                        out.push(std::mem::take(&mut self.buf));
                        self.in_frame = false;
                        rest = &rest[i + 1..];
                        if rest.is_empty() {
                            self.skip_cr = true;
                        } else {
                            rest = rest.strip_prefix('\r').unwrap_or(rest);
                        }
                    }
                    Some(i) => {
                        // A new frame starts before this one ended: the
                        // broken one is noise.
                        self.discarded += self.buf.len() + 1 + i;
                        self.buf.clear();
                        rest = &rest[i + 1..];
                    }
                    None => {
                        self.buf.push_str(rest);
                        rest = "";
                    }
                }
                if self.buf.len() > self.max_frame {
                    self.discarded += self.buf.len();
                    self.buf.clear();
                    self.in_frame = false;
                    return Err(format!(
                        "an MLLP frame longer than {} bytes: dropped",
                        self.max_frame
                    ));
                }
            } else if let Some(i) = rest.find(START) {
                self.discarded += i;
                self.in_frame = true;
                rest = &rest[i + 1..];
            } else {
                self.discarded += rest.len();
                rest = "";
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let f = frame("MSH|^~\\&|A\r");
        assert_eq!(f, "\u{b}MSH|^~\\&|A\r\u{1c}\r");
        assert_eq!(unframe(&f), Ok("MSH|^~\\&|A\r"));
        assert!(unframe("MSH|").is_err());
        assert!(unframe("\u{b}MSH|").is_err());
        assert!(unframe("\u{b}a\u{1c}\r\u{b}b\u{1c}\r").is_err());
    }

    #[test]
    fn a_stream_splits_into_messages_however_it_arrives() {
        let stream = format!("noise{}{}{}", frame("one"), frame("two"), frame("three"));
        // Every way of cutting the stream in two places gives the same.
        let chars: Vec<char> = stream.chars().collect();
        for a in 0..=chars.len() {
            for b in a..=chars.len() {
                let mut r = Reader::default();
                let mut got = Vec::new();
                for part in [&chars[..a], &chars[a..b], &chars[b..]] {
                    let text: String = part.iter().collect();
                    got.extend(r.push(&text).unwrap());
                }
                assert_eq!(got, ["one", "two", "three"], "cut at {a}, {b}");
                assert_eq!(r.discarded(), 5);
                assert_eq!(r.pending(), 0);
            }
        }
    }

    #[test]
    fn a_frame_never_ended_is_dropped_at_the_limit() {
        let mut r = Reader::new(10);
        assert!(r.push("\u{b}0123456789abc").is_err());
        assert_eq!(r.push(&frame("ok")).unwrap(), ["ok"]);
        let mut r = Reader::default();
        assert_eq!(r.push("\u{b}broken\u{b}good\u{1c}\r").unwrap(), ["good"]);
        assert_eq!(r.discarded(), 7);
    }
}
