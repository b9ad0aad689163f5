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
    let line_of = |record: &::csv::StringRecord| start_line(text, &index, record);
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
    Ok(())
}

/// The line a record's first field is on. The parser's own line count lags by one after
/// a CRLF (the `\n` is read as part of the next record), so we take its byte offset and
/// step over line breaks and blank lines ourselves.
fn start_line(text: &str, index: &LineIndex, record: &::csv::StringRecord) -> u32 {
    let start = record.position().map_or(0, |p| offset(p.byte()));
    let skipped = text.get(start..).map_or(0, |rest| {
        rest.len() - rest.trim_start_matches(['\r', '\n']).len()
    });
    index.line(start + skipped)
}

fn offset(byte: u64) -> usize {
    usize::try_from(byte).unwrap_or(usize::MAX)
}
