//! JSON (an array of listing objects, or an object holding that array, as the Graph API
//! answers `{"data": [...]}`) and JSON Lines (one object per line). Nested objects and
//! arrays are flattened to the CSV column names, so `{"mileage": {"value": 1}}` and a
//! `mileage.value` column mean the same thing to validation.

use super::names::Names;
use super::record::{Emit, FieldList, FileError, LineIndex, RawRecord, Row};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// Reads a JSON array of objects, or an object with exactly one such array among its
/// values. Each element is first captured as raw text, which tells us where it starts in
/// the file and so which line to report.
pub fn read(text: &str, emit: &mut Emit<'_>) -> Result<(), FileError> {
    let to_file_error = |e: serde_json::Error| FileError {
        line: (e.line() > 0).then(|| u32::try_from(e.line()).unwrap_or(u32::MAX)),
        message: format!("not readable as JSON: {e}"),
    };
    let items: Vec<&RawValue> = if text.trim_start().starts_with('{') {
        let object: BTreeMap<String, &RawValue> =
            serde_json::from_str(text).map_err(to_file_error)?;
        let mut lists = object
            .into_values()
            .filter_map(|raw| serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok())
            .filter(|items| !items.is_empty() && items.iter().all(|i| i.get().starts_with('{')));
        match (lists.next(), lists.next()) {
            (Some(items), None) => items,
            (found, _) => {
                let what = if found.is_some() { "several" } else { "no" };
                return Err(FileError::at(
                    1,
                    format!(
                        "the file is a JSON object with {what} lists of listings; expected \
                         [ {{\"vehicle_id\": ...}}, ... ] or one list in an object, like \
                         {{\"listings\": [ ... ]}}"
                    ),
                ));
            }
        }
    } else {
        serde_json::from_str(text).map_err(|e| {
            if e.is_data() {
                FileError {
                    line: Some(1),
                    message: "the file is JSON but not an array; expected \
                              [ {\"vehicle_id\": ...}, ... ] or one object per line in a \
                              .jsonl file"
                        .to_string(),
                }
            } else {
                to_file_error(e)
            }
        })?
    };
    let index = LineIndex::new(text);
    let mut names = Names::default();
    for raw in items {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        let line = index.line(offset);
        match serde_json::from_str::<Value>(raw.get()) {
            Ok(value) => emit_value(line, value, &mut names, emit),
            Err(e) => emit(Row::Rejected {
                line,
                field: None,
                message: format!("not readable as JSON: {e}"),
            }),
        }
    }
    Ok(())
}

/// Reads JSON Lines: a line that is not valid JSON rejects that listing only.
pub fn read_lines(text: &str, emit: &mut Emit<'_>) -> Result<(), FileError> {
    let mut names = Names::default();
    for (i, line_text) in text.split('\n').enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = line_text.trim();
        if trimmed.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(trimmed) {
            Ok(value) => emit_value(line, value, &mut names, emit),
            Err(e) => emit(Row::Rejected {
                line,
                field: None,
                message: format!(
                    "not readable as JSON ({e}); expected one listing object on each line"
                ),
            }),
        }
    }
    Ok(())
}

fn emit_value(line: u32, value: Value, names: &mut Names, emit: &mut Emit<'_>) {
    match value {
        Value::Object(map) => {
            let mut fields = Vec::with_capacity(map.len() + 4);
            for (key, value) in map {
                flatten(key, value, names, &mut fields);
            }
            emit(Row::Record(RawRecord { line, fields }));
        }
        other => emit(Row::Rejected {
            line,
            field: None,
            message: format!(
                "found {}; expected a listing object {{\"vehicle_id\": ...}}",
                kind(&other)
            ),
        }),
    }
}

/// `value` under the name `key`, flattened the way Meta's CSV columns are named
/// (`image[0].url`, `address.city`), each name resolved through `names`.
pub fn flatten(key: String, value: Value, names: &mut Names, out: &mut FieldList<'static>) {
    let mut push = |key: String, text: String| {
        if let Some(resolved) = names.meaning(&key).key(key) {
            out.push((resolved, text.into()));
        }
    };
    match value {
        Value::Null => {}
        Value::String(s) => push(key, s),
        Value::Number(n) => push(key, n.to_string()),
        Value::Bool(b) => push(key, b.to_string()),
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                flatten(format!("{key}[{i}]"), item, names, out);
            }
        }
        Value::Object(map) => {
            for (sub, item) in map {
                flatten(format!("{key}.{sub}"), item, names, out);
            }
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
