//! Batch files (HL7 v2.5 §2.10.3): `FHS` and `BHS` headers, messages,
//! `BTS` and `FTS` trailers, in any of the forms senders write (a bare
//! run of messages too). The file writes back byte for byte.

use super::{Encoding, Message, ParseError, Segment, lines};

/// One part of a batch file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `FHS`, `BHS`, `BTS` or `FTS`.
    Envelope(Segment),
    Message(Message),
}

/// A batch file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    lead: String,
    items: Vec<Item>,
}

fn envelope(name: &str) -> bool {
    matches!(name, "FHS" | "BHS" | "BTS" | "FTS")
}

impl Batch {
    /// Parses a batch file.
    ///
    /// # Errors
    ///
    /// When a segment comes before any header or message, or a message or
    /// header does not parse.
    pub fn parse(text: &str) -> Result<Batch, ParseError> {
        let body = text.trim_start_matches(['\r', '\n']);
        let lead = text[..text.len() - body.len()].to_string();
        let mut items = Vec::new();
        let mut enc = Encoding::default();
        let mut message: Option<String> = None;
        // The line of the BHS whose batch has not ended yet.
        let mut open_batch: Option<usize> = None;
        let flush = |message: &mut Option<String>, items: &mut Vec<Item>| {
            if let Some(m) = message.take() {
                items.push(Item::Message(Message::parse(&m)?));
            }
            Ok::<(), ParseError>(())
        };
        for (i, (line, end)) in lines(body).into_iter().enumerate() {
            let name = line.get(..3).unwrap_or(line);
            if envelope(name) {
                flush(&mut message, &mut items)?;
                match name {
                    "FHS" if !items.is_empty() => {
                        return Err(ParseError(format!(
                            "line {}: an FHS segment after the file began (a file has one FHS, first)",
                            i + 1
                        )));
                    }
                    "BHS" => {
                        if let Some(at) = open_batch {
                            return Err(ParseError(format!(
                                "line {}: a BHS segment inside the batch that began on line {at} (end it with BTS first)",
                                i + 1
                            )));
                        }
                        open_batch = Some(i + 1);
                    }
                    "BTS" => open_batch = None,
                    _ => {}
                }
                if name == "FHS" || name == "BHS" {
                    enc = Encoding::from_header(line)
                        .map_err(|e| ParseError(format!("{name}: {e}")))?;
                }
                let mut seg = Segment::parse(line, end, enc);
                seg.enc = enc;
                items.push(Item::Envelope(seg));
            } else if name == "MSH" {
                flush(&mut message, &mut items)?;
                message = Some(format!("{line}{end}"));
            } else if let Some(m) = &mut message {
                m.push_str(line);
                m.push_str(end);
            } else {
                let shown: String = line.chars().take(12).collect();
                return Err(ParseError(format!(
                    "line {} ({shown:?}) comes before any FHS, BHS or MSH segment",
                    i + 1
                )));
            }
        }
        flush(&mut message, &mut items)?;
        Ok(Batch { lead, items })
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn messages(&self) -> impl Iterator<Item = &Message> {
        self.items.iter().filter_map(|i| match i {
            Item::Message(m) => Some(m),
            Item::Envelope(_) => None,
        })
    }

    /// The first envelope segment named `name` (`FHS`, `BHS`, `BTS`, `FTS`).
    pub fn envelope(&self, name: &str) -> Option<&Segment> {
        self.items.iter().find_map(|i| match i {
            Item::Envelope(s) if s.name() == name => Some(s),
            _ => None,
        })
    }

    /// The file as text, byte for byte as parsed.
    pub fn to_text(&self) -> String {
        let mut out = self.lead.clone();
        for i in &self.items {
            match i {
                Item::Envelope(s) => {
                    out.push_str(&s.text());
                    out.push_str(&s.end);
                }
                Item::Message(m) => out.push_str(&m.to_text()),
            }
        }
        out
    }
}
