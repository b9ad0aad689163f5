//! CSV and TSV with a header row of Meta catalog column names (`mileage.value`,
//! `image[0].url`). The `csv` crate does the quoting; we keep its record positions so a
//! row is reported on the physical line it starts on, quoted newlines and CRLF included.

use super::record::{Emit, FileError, LineIndex, RawRecord, Row};
use std::borrow::Cow;

/// Reads `text` (UTF-8, BOM already removed), sending each data row to `emit`.
pub fn read(text: &str, delimiter: u8, emit: &mut Emit<'_>) -> Result<(), FileError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let index = LineIndex::new(text);
    let line_of = |record: &::csv::StringRecord| start_line(text, &index, record_start(record));
    let to_file_error = |e: ::csv::Error| {
        let line = e.position().map(|p| index.line(offset(p.byte())));
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
    let header: Vec<String> = record
        .iter()
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    if !header.iter().any(|name| name == "vehicle_id") {
        let kind = if delimiter == b'\t' { "TSV" } else { "CSV" };
        return Err(FileError::at(
            header_line,
            format!(
                "the first row has no `vehicle_id` column; expected a {kind} header row of \
                 catalog column names such as vehicle_id,make,model,price"
            ),
        ));
    }
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
        let fields = header
            .iter()
            .zip(record.iter())
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| (Cow::Borrowed(name.as_str()), Cow::Borrowed(value)))
            .collect();
        emit(Row::Record(RawRecord { line, fields }));
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

fn record_start(record: &::csv::StringRecord) -> usize {
    record.position().map_or(0, |p| offset(p.byte()))
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
