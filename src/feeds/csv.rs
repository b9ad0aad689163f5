//! CSV and TSV (and Google's tab-delimited `.txt`) with a header row of Meta or Google
//! column names, in any case and punctuation (`mileage.value`, `Image[0].URL`,
//! `image_link`). A cell of a nested column (`image`, `address`, `mileage`) may hold
//! JSON, or the relaxed literal Meta's own example writes (`{addr1: '550 Auto Center
//! Dr'}`); it is flattened to the names the flattened columns have, which win over it.
//!
//! The `csv` crate does the quoting; we keep its record positions so a row is reported
//! on the physical line it starts on, quoted newlines and CRLF included.

use super::json;
use super::names::{self, Field, Meaning, Names};
use super::record::{Emit, FieldList, FileError, LineIndex, RawRecord, Row};
use std::borrow::Cow;

/// Whether a `.txt` file is Google's tab-delimited text feed: its first line (after
/// `#` comments) has a tab. Any other text file (a README) is no feed.
pub fn is_text_feed(text: &str) -> bool {
    text[leading_comments(text)..]
        .lines()
        .next()
        .is_some_and(|line| line.contains('\t'))
}

/// One header cell, resolved once for the whole file.
struct Column {
    /// As written, trimmed: the name of an unknown column, and the prefix of a JSON cell.
    written: String,
    meaning: Meaning,
    /// A nested column whose cells may hold JSON.
    json: bool,
}

/// Reads `text` (UTF-8, BOM already removed), sending each data row to `emit`. Lines
/// starting with `#` before the header (Meta's metadata tags) are skipped.
pub fn read(text: &str, delimiter: u8, emit: &mut Emit<'_>) -> Result<(), FileError> {
    let skip = leading_comments(text);
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text.as_bytes()[skip..]);
    let index = LineIndex::new(text);
    let record_start =
        |record: &::csv::StringRecord| skip + record.position().map_or(0, |p| offset(p.byte()));
    let line_of = |record: &::csv::StringRecord| start_line(text, &index, record_start(record));
    let to_file_error = |e: ::csv::Error| {
        let line = e.position().map(|p| index.line(skip + offset(p.byte())));
        FileError {
            line,
            message: format!("not readable as CSV: {e}"),
        }
    };
    let mut record = ::csv::StringRecord::new();
    if !reader.read_record(&mut record).map_err(to_file_error)? {
        return Ok(());
    }
    let header_line = line_of(&record);
    let mut last_start = record_start(&record);
    let header: Vec<Column> = record
        .iter()
        .map(|name| Column {
            written: name.trim().to_string(),
            meaning: names::meaning(name),
            json: names::holds_json(name),
        })
        .collect();
    let identifies =
        |c: &Column| matches!(c.meaning, Meaning::Field(Field::VehicleId | Field::Vin, _));
    if !header.iter().any(identifies) {
        let kind = if delimiter == b'\t' { "TSV" } else { "CSV" };
        return Err(FileError::at(
            header_line,
            format!(
                "the first row has no `vehicle_id` (or `id`, or `vin`) column; expected a \
                 {kind} header row of catalog column names such as vehicle_id,make,model,price"
            ),
        ));
    }
    let mut names = Names::default();
    while reader.read_record(&mut record).map_err(to_file_error)? {
        let line = line_of(&record);
        last_start = record_start(&record);
        if record.len() != header.len() {
            emit(Row::Rejected {
                line,
                field: None,
                message: format!(
                    "the row has {} fields; expected {} like the header on line {header_line} \
                     (is a value with a comma or newline missing its quotes?)",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        match row_fields(&header, &record, &mut names) {
            Ok(fields) => emit(Row::Record(RawRecord { line, fields })),
            Err((field, message)) => emit(Row::Rejected {
                line,
                field: Some(field),
                message,
            }),
        }
    }
    if ends_inside_quotes(&text.as_bytes()[last_start.min(text.len())..], delimiter) {
        return Err(FileError::at(
            start_line(text, &index, last_start),
            "the file ends inside a quoted value that starts on this row; expected its \
             closing \" (is the file cut off?), so none of its rows were used",
        ));
    }
    Ok(())
}

/// A row's fields: the plain cells first, then what JSON cells hold, so a flattened
/// column wins over the same value inside a JSON one. A JSON cell that does not parse
/// rejects the row: `(column, message)`.
fn row_fields<'r>(
    header: &'r [Column],
    record: &'r ::csv::StringRecord,
    names: &mut Names,
) -> Result<FieldList<'r>, (String, String)> {
    let mut fields = Vec::with_capacity(header.len());
    let mut nested = Vec::new();
    for (column, value) in header.iter().zip(record.iter()) {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            continue;
        }
        if column.json && trimmed.starts_with(['{', '[']) {
            let parsed: serde_json::Value = json5::from_str(trimmed).map_err(|e| {
                (
                    column.written.clone(),
                    format!(
                        "{} is not readable as JSON ({e}); expected a value like \
                         [{{\"url\": \"https://...\"}}] or {{\"city\": \"...\"}}",
                        super::values::quote(trimmed)
                    ),
                )
            })?;
            json::flatten(column.written.clone(), parsed, names, &mut nested);
        } else if let Some(key) = column.meaning.key(column.written.as_str()) {
            fields.push((key, Cow::Borrowed(value)));
        }
    }
    fields.extend(nested);
    Ok(fields)
}

/// Bytes taken by `#` comment lines before the header.
fn leading_comments(text: &str) -> usize {
    let mut at = 0;
    while text[at..].starts_with('#') {
        match text[at..].find('\n') {
            Some(nl) => at += nl + 1,
            None => return text.len(),
        }
    }
    at
}

/// Whether the text of the last record opens a quoted field that it never closes: the
/// `csv` crate reads such a field to the end of the file without complaint, which is how
/// a cut-off upload would publish a half row. Quotes count as the crate counts them:
/// only at the start of a field, and `""` inside one is a quote.
fn ends_inside_quotes(record: &[u8], delimiter: u8) -> bool {
    let mut quoted = false;
    let mut at_field_start = true;
    let mut bytes = record.iter().peekable();
    while let Some(&b) = bytes.next() {
        if quoted {
            if b == b'"' && bytes.next_if_eq(&&b'"').is_none() {
                quoted = false;
            }
        } else if at_field_start && b == b'"' {
            quoted = true;
        }
        at_field_start = !quoted && (b == delimiter || matches!(b, b'\n' | b'\r'));
    }
    quoted
}

/// The line a record's first field is on, from the byte offset the parser gives for its
/// start. The parser's own line count lags by one after a CRLF (the `\n` is read as part
/// of the next record), so we step over line breaks and blank lines ourselves.
fn start_line(text: &str, index: &LineIndex, start: usize) -> u32 {
    let skipped = text.get(start..).map_or(0, |rest| {
        rest.len() - rest.trim_start_matches(['\r', '\n']).len()
    });
    index.line(start + skipped)
}

fn offset(byte: u64) -> usize {
    usize::try_from(byte).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_when_a_record_ends_inside_quotes() {
        assert!(!ends_inside_quotes(b"a,\"b,c\",d\n", b','));
        assert!(!ends_inside_quotes(b"a,\"say \"\"hi\"\"\",d", b','));
        assert!(!ends_inside_quotes(b"a,b\"c,d", b','));
        assert!(ends_inside_quotes(b"a,\"Good runner,\nfull hist", b','));
        assert!(ends_inside_quotes(b"a\t\"open\tstill", b'\t'));
        assert!(ends_inside_quotes(b"a,\"x\"\"", b','));
    }
}
