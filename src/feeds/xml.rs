//! XML in Meta's catalog shape: `<listings><listing>...</listing></listings>`, with
//! `<mileage><value/><unit/></mileage>`, repeated `<image><url/></image>` and
//! `<address format="simple"><component name="city">`.
//!
//! Safety: quick-xml never fetches or expands a DOCTYPE, and we ignore it. A reference to
//! any entity other than XML's five and character references rejects that listing (it
//! was declared in the DOCTYPE, perhaps to fetch a file or to blow up in size), while the
//! file's other listings go on.

use super::record::{Emit, FileError, LineIndex, RawRecord, Row};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;

/// Reads `text`, sending each `<listing>` to `emit` with the line of its start tag.
pub fn read(text: &str, emit: &mut Emit<'_>) -> Result<(), FileError> {
    let index = LineIndex::new(text);
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut open_names: Vec<String> = Vec::new();
    let mut root_seen = false;
    let mut listing: Option<OpenListing> = None;
    loop {
        let event = reader.read_event().map_err(|e| {
            FileError::at(
                index.line(offset(reader.error_position())),
                format!("not readable as XML: {e}"),
            )
        })?;
        match event {
            Event::Start(start) if depth == 0 => {
                check_root(&start, &index, &reader)?;
                root_seen = true;
                depth = 1;
                open_names.push("listings".into());
            }
            Event::Empty(start) if depth == 0 => {
                check_root(&start, &index, &reader)?;
                root_seen = true;
            }
            Event::Start(start) => {
                depth += 1;
                let name = element_name(&start);
                open_names.push(name.clone());
                if depth == 2 && name == "listing" {
                    let end = offset(reader.buffer_position());
                    let at = text[..end].rfind('<').unwrap_or(0);
                    listing = Some(OpenListing::new(index.line(at)));
                } else if let Some(open) = listing.as_mut() {
                    open.open(&name, &start);
                }
            }
            Event::Empty(start) => {
                let name = element_name(&start);
                if depth == 1 && name == "listing" {
                    let end = offset(reader.buffer_position());
                    let at = text[..end].rfind('<').unwrap_or(0);
                    OpenListing::new(index.line(at)).finish(emit);
                } else if let Some(open) = listing.as_mut() {
                    open.open(&name, &start);
                    open.close();
                }
            }
            Event::End(_) => {
                open_names.pop();
                if depth == 2 {
                    if let Some(open) = listing.take() {
                        open.finish(emit);
                    }
                } else if let Some(open) = listing.as_mut() {
                    open.close();
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) => {
                if let Some(open) = listing.as_mut() {
                    open.buffer.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(open) = listing.as_mut() {
                    open.buffer.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(open) = listing.as_mut() {
                    let name = r.xml10_content();
                    match resolve(&name, r.resolve_char_ref()) {
                        Some(c) => open.buffer.push(c),
                        None => open.reject(format!(
                            "uses the entity `&{name};`; only XML's own entities \
                             (&amp; &lt; &gt; &quot; &apos;) and character references are \
                             allowed, so this listing was skipped: write the text itself"
                        )),
                    }
                }
            }
            Event::Eof => {
                if let Some(name) = open_names.last() {
                    return Err(FileError::at(
                        index.line(text.len()),
                        format!(
                            "the file ends inside <{name}>; expected it to be closed \
                             (is the file truncated?)"
                        ),
                    ));
                }
                if !root_seen {
                    return Err(FileError::at(
                        1,
                        "no <listings> element; expected <listings><listing>...</listing></listings>",
                    ));
                }
                return Ok(());
            }
            // The DOCTYPE, comments, processing instructions and the declaration carry
            // nothing we use; the DOCTYPE in particular is never interpreted.
            Event::DocType(_) | Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
        }
    }
}

fn check_root(
    start: &BytesStart<'_>,
    index: &LineIndex,
    reader: &Reader<&[u8]>,
) -> Result<(), FileError> {
    let name = element_name(start);
    if name == "listings" {
        return Ok(());
    }
    Err(FileError::at(
        index.line(offset(reader.buffer_position()).saturating_sub(1)),
        format!("the root element is <{name}>; expected <listings>"),
    ))
}

fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

fn element_name(start: &BytesStart<'_>) -> String {
    start.local_name().as_ref().to_ascii_lowercase()
}

/// XML's five predefined entities and character references; `None` for anything else.
fn resolve(name: &str, char_ref: Result<Option<char>, quick_xml::Error>) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => char_ref.ok().flatten(),
    }
}

/// The `<listing>` being read: its start line, where we are inside it, and what it says.
struct OpenListing {
    line: u32,
    /// Field name parts below `<listing>`, e.g. `["image[1]", "url"]`.
    path: Vec<String>,
    images: usize,
    buffer: String,
    fields: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    rejected: Option<(Option<String>, String)>,
}

impl OpenListing {
    fn new(line: u32) -> OpenListing {
        OpenListing {
            line,
            path: Vec::new(),
            images: 0,
            buffer: String::new(),
            fields: Vec::new(),
            rejected: None,
        }
    }

    fn open(&mut self, name: &str, start: &BytesStart<'_>) {
        self.buffer.clear();
        let segment = if self.path.is_empty() && name == "image" {
            self.images += 1;
            format!("image[{}]", self.images - 1)
        } else if name == "component" {
            match start.try_get_attribute("name") {
                Ok(Some(attr)) => match attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                    Ok(value) => value.trim().to_ascii_lowercase(),
                    Err(e) => {
                        self.reject(format!("has an unreadable attribute: {e}"));
                        "component".to_string()
                    }
                },
                _ => "component".to_string(),
            }
        } else {
            name.to_string()
        };
        self.path.push(segment);
    }

    fn close(&mut self) {
        if !self.buffer.trim().is_empty() {
            let key = self.path.join(".");
            self.fields
                .push((key.into(), std::mem::take(&mut self.buffer).into()));
        }
        self.buffer.clear();
        self.path.pop();
    }

    fn reject(&mut self, message: String) {
        if self.rejected.is_none() {
            let field = (!self.path.is_empty()).then(|| self.path.join("."));
            self.rejected = Some((field, message));
        }
    }

    fn finish(self, emit: &mut Emit<'_>) {
        match self.rejected {
            Some((field, message)) => emit(Row::Rejected {
                line: self.line,
                field,
                message,
            }),
            None => emit(Row::Record(RawRecord {
                line: self.line,
                fields: self.fields,
            })),
        }
    }
}
