//! What every reader hands to validation: flat `field → text` records with the line they
//! start on. Readers know syntax and names only; what a value means is decided once, in
//! `fields.rs`.

use super::names::{Field, Key};
use std::borrow::Cow;
use std::ops::Range;

/// One listing as written, each field already resolved to what it means
/// ([`names::meaning`](super::names::meaning)): validation never sees a spelling.
#[derive(Debug, Default)]
pub struct RawRecord<'a> {
    /// 1-based physical line where the listing starts.
    pub line: u32,
    /// In the reader's order of preference: of two values for one field with the same
    /// rank, the first is used (a flattened CSV column before a JSON one, an element in
    /// Google's namespace before Atom's own).
    pub fields: FieldList<'a>,
}

/// A record's fields: what each means, and its text.
pub type FieldList<'a> = Vec<(Key<'a>, Cow<'a, str>)>;

impl RawRecord<'_> {
    /// Copies the record out of the reader's buffers, so it can be validated on another
    /// thread while the reader goes on.
    pub fn to_owned_record(&self) -> OwnedRecord {
        let size = self
            .fields
            .iter()
            .map(|(k, v)| v.len() + if let Key::Unknown(n) = k { n.len() } else { 0 })
            .sum();
        let mut text = String::with_capacity(size);
        let mut push = |part: &str| {
            let start = text.len();
            text.push_str(part);
            start..text.len()
        };
        let fields = self
            .fields
            .iter()
            .map(|(key, value)| {
                let key = match key {
                    Key::Field { field, rank } => OwnedKey::Field(*field, *rank),
                    Key::Image(n) => OwnedKey::Image(*n),
                    Key::Unknown(name) => OwnedKey::Unknown(push(name)),
                };
                (key, push(value))
            })
            .collect();
        OwnedRecord {
            line: self.line,
            text,
            fields,
        }
    }
}

/// A [`Key`] whose unknown name lives in an [`OwnedRecord`]'s text.
enum OwnedKey {
    Field(Field, u8),
    Image(usize),
    Unknown(Range<usize>),
}

/// A [`RawRecord`] in two allocations, whatever its number of fields.
pub struct OwnedRecord {
    line: u32,
    text: String,
    fields: Vec<(OwnedKey, Range<usize>)>,
}

impl OwnedRecord {
    pub fn as_raw(&self) -> RawRecord<'_> {
        let part = |range: &Range<usize>| Cow::Borrowed(&self.text[range.clone()]);
        RawRecord {
            line: self.line,
            fields: self
                .fields
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        OwnedKey::Field(field, rank) => Key::Field {
                            field: *field,
                            rank: *rank,
                        },
                        OwnedKey::Image(n) => Key::Image(*n),
                        OwnedKey::Unknown(name) => Key::Unknown(part(name)),
                    };
                    (key, part(v))
                })
                .collect(),
        }
    }
}

/// What a reader found at one place in a file.
#[derive(Debug)]
pub enum Row<'a> {
    Record(RawRecord<'a>),
    /// A listing the reader itself had to refuse (e.g. an XML custom entity); the rest of
    /// the file goes on.
    Rejected {
        line: u32,
        field: Option<String>,
        message: String,
    },
}

/// Why a whole file could not be read; none of its listings are used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub line: Option<u32>,
    pub message: String,
}

impl FileError {
    pub fn at(line: u32, message: impl Into<String>) -> FileError {
        FileError {
            line: Some(line),
            message: message.into(),
        }
    }
}

/// Byte offset to line number, in O(log n) per lookup, for readers whose parser reports
/// offsets rather than lines.
pub struct LineIndex {
    /// Offsets of every `\n`.
    newlines: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            newlines: memchr_newlines(text.as_bytes()),
        }
    }

    /// 1-based line of the byte at `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        let before = self.newlines.partition_point(|&nl| nl < offset);
        u32::try_from(before).unwrap_or(u32::MAX - 1) + 1
    }
}

fn memchr_newlines(bytes: &[u8]) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == b'\n').then_some(i))
        .collect()
}

/// Where a reader sends each row as soon as it has it, so nothing is copied that
/// validation does not keep.
pub type Emit<'e> = dyn for<'r> FnMut(Row<'r>) + 'e;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owned_record_reads_back_the_same_fields() {
        let raw = RawRecord {
            line: 7,
            fields: vec![
                (
                    Key::Field {
                        field: Field::Make,
                        rank: 0,
                    },
                    Cow::Borrowed("BMW"),
                ),
                (Key::Image(0), Cow::Borrowed("")),
                (
                    Key::Unknown(Cow::Owned("colour".into())),
                    Cow::Borrowed("red"),
                ),
                (
                    Key::Field {
                        field: Field::Model,
                        rank: 1,
                    },
                    Cow::Owned("320d".into()),
                ),
            ],
        };
        let owned = raw.to_owned_record();
        let back = owned.as_raw();
        assert_eq!(back.line, 7);
        assert_eq!(back.fields, raw.fields);
    }

    #[test]
    fn line_index_counts_physical_lines() {
        let index = LineIndex::new("a\r\nb\nc");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 1);
        assert_eq!(index.line(3), 2);
        assert_eq!(index.line(6), 3);
    }
}
