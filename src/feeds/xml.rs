//! XML feeds in the three shapes dealers' software writes: Meta's catalog
//! `<listings><listing>`, RSS 2.0 `<rss><channel><item>` and Atom `<feed><entry>`, the last
//! two usually with Google's attributes in its namespace (`<g:price>`). Element names are
//! compared without their namespace prefix; when an item has the same field both in a
//! namespace and without one (Atom's own `<id>` beside `<g:id>`), the namespaced one is
//! used. Nested elements are flattened like CSV columns: `<mileage><value/><unit/>`,
//! repeated `<image><url/></image>`, `<address format="simple"><component name="city">`.
//!
//! Safety: quick-xml never fetches or expands a DOCTYPE, and we ignore it. A reference to
//! any entity other than XML's five and character references rejects that item (it was
//! declared in the DOCTYPE, perhaps to fetch a file or to blow up in size), while the
//! file's other items go on.

use super::names::Names;
use super::record::{Emit, FieldList, FileError, LineIndex, RawRecord, Row};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Where a feed keeps its items.
#[derive(Clone, Copy)]
enum Shape {
    Listings,
    Rss,
    Atom,
}

impl Shape {
    fn of_root(name: &str) -> Option<Shape> {
        match name {
            "listings" => Some(Shape::Listings),
            "rss" => Some(Shape::Rss),
            "feed" => Some(Shape::Atom),
            _ => None,
        }
    }

    /// The elements an item sits in, root first.
    fn parents(self) -> &'static [&'static str] {
        match self {
            Shape::Listings => &["listings"],
            Shape::Rss => &["rss", "channel"],
            Shape::Atom => &["feed"],
        }
    }

    fn item(self) -> &'static str {
        match self {
            Shape::Listings => "listing",
            Shape::Rss => "item",
            Shape::Atom => "entry",
        }
    }

    /// Whether an element `name`, opened inside `open` (root first), is an item.
    fn is_item(self, open: &[String], name: &str) -> bool {
        name == self.item()
            && open.len() == self.parents().len()
            && open.iter().zip(self.parents()).all(|(a, b)| a == b)
    }
}

/// Reads `text`, sending each item to `emit` with the line of its start tag.
pub fn read(text: &str, emit: &mut Emit<'_>) -> Result<(), FileError> {
    let index = LineIndex::new(text);
    let mut reader = Reader::from_str(text);
    let mut open_names: Vec<String> = Vec::new();
    let mut shape: Option<Shape> = None;
    let mut names = Names::default();
    let mut listing: Option<OpenListing> = None;
    // The line of the tag just read: the last `<` before the reader's position.
    let tag_line = |reader: &Reader<&[u8]>| {
        let end = offset(reader.buffer_position()).min(text.len());
        index.line(text[..end].rfind('<').unwrap_or(0))
    };
    let root = |start: &BytesStart<'_>, reader: &Reader<&[u8]>| {
        let name = element_name(start);
        Shape::of_root(&name).ok_or_else(|| {
            FileError::at(
                tag_line(reader),
                format!(
                    "the root element is <{name}>; expected Meta's <listings>, an RSS 2.0 \
                     <rss> or an Atom <feed>"
                ),
            )
        })
    };
    loop {
        let event = reader.read_event().map_err(|e| {
            FileError::at(
                index.line(offset(reader.error_position())),
                format!("not readable as XML: {e}"),
            )
        })?;
        match event {
            Event::Start(start) if shape.is_none() => {
                shape = Some(root(&start, &reader)?);
                open_names.push(element_name(&start));
            }
            Event::Empty(start) if shape.is_none() => shape = Some(root(&start, &reader)?),
            Event::Start(start) => {
                let name = element_name(&start);
                if let Some(open) = listing.as_mut() {
                    open.open(&name, &start);
                } else if shape.is_some_and(|s| s.is_item(&open_names, &name)) {
                    listing = Some(OpenListing::new(tag_line(&reader)));
                }
                open_names.push(name);
            }
            Event::Empty(start) => {
                let name = element_name(&start);
                if let Some(open) = listing.as_mut() {
                    open.open(&name, &start);
                    open.close(&mut names);
                } else if shape.is_some_and(|s| s.is_item(&open_names, &name)) {
                    OpenListing::new(tag_line(&reader)).finish(emit);
                }
            }
            Event::End(_) => {
                open_names.pop();
                match listing.take() {
                    Some(open) if open.path.is_empty() => open.finish(emit),
                    Some(mut open) => {
                        open.close(&mut names);
                        listing = Some(open);
                    }
                    None => {}
                }
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
                if shape.is_none() {
                    return Err(FileError::at(
                        1,
                        "no root element; expected Meta's <listings><listing>..., an RSS 2.0 \
                         <rss><channel><item>... or an Atom <feed><entry>...",
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

/// The item being read: its start line, where we are inside it, and what it says.
struct OpenListing {
    line: u32,
    /// Field name parts below the item, e.g. `["image[1]", "url"]`.
    path: Vec<String>,
    /// Whether the outermost element of `path` has a namespace prefix (`<g:mileage>`).
    namespaced: bool,
    images: usize,
    buffer: String,
    /// Fields from namespaced elements, which win over the `plain` ones.
    preferred: FieldList<'static>,
    plain: FieldList<'static>,
    rejected: Option<(Option<String>, String)>,
}

impl OpenListing {
    fn new(line: u32) -> OpenListing {
        OpenListing {
            line,
            path: Vec::new(),
            namespaced: false,
            images: 0,
            buffer: String::new(),
            preferred: Vec::new(),
            plain: Vec::new(),
            rejected: None,
        }
    }

    fn open(&mut self, name: &str, start: &BytesStart<'_>) {
        self.buffer.clear();
        if self.path.is_empty() {
            self.namespaced = start.name().prefix().is_some();
        }
        let segment = if self.path.is_empty() && name == "image" {
            self.images += 1;
            format!("image[{}]", self.images - 1)
        } else if name == "component" {
            self.attribute(start, "name").map_or_else(
                || "component".to_string(),
                |n| n.trim().to_ascii_lowercase(),
            )
        } else {
            if name == "link" {
                // Atom's `<link href="..."/>`: the entry's own page, unless the link is of
                // another relation (`self`, `enclosure`).
                let alternate = self
                    .attribute(start, "rel")
                    .is_none_or(|rel| rel.trim() == "alternate");
                if let Some(href) = self.attribute(start, "href").filter(|_| alternate) {
                    self.buffer = href;
                }
            }
            name.to_string()
        };
        self.path.push(segment);
    }

    /// An attribute's value; one that cannot be read rejects the item.
    fn attribute(&mut self, start: &BytesStart<'_>, name: &str) -> Option<String> {
        match start.try_get_attribute(name) {
            Ok(Some(attr)) => match attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                Ok(value) => Some(value.into_owned()),
                Err(e) => {
                    self.reject(format!("has an unreadable attribute: {e}"));
                    None
                }
            },
            _ => None,
        }
    }

    fn close(&mut self, names: &mut Names) {
        if !self.buffer.trim().is_empty() {
            let name = self.path.join(".");
            if let Some(key) = names.meaning(&name).key(name) {
                let value = std::mem::take(&mut self.buffer).into();
                if self.namespaced {
                    self.preferred.push((key, value));
                } else {
                    self.plain.push((key, value));
                }
            }
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
            None => {
                let mut fields = self.preferred;
                fields.extend(self.plain);
                emit(Row::Record(RawRecord {
                    line: self.line,
                    fields,
                }));
            }
        }
    }
}
