//! JSON (an array of listing objects) and JSON Lines (one object per line). Nested
//! objects and arrays are flattened to the CSV column names, so `{"mileage": {"value": 1}}`
//! and a `mileage.value` column mean the same thing to validation.

use super::record::{Emit, FileError, LineIndex, RawRecord, Row};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Reads a JSON array of objects. Each element is first captured as raw text, which tells
/// us where it starts in the file and so which line to report.
pub fn read(text: &str, emit: &mut Emit<'_>) -> Result<(), FileError> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        let message = if e.is_data() {
            "the file is JSON but not an array; expected [ {\"vehicle_id\": ...}, ... ] \
             or one object per line in a .jsonl file"
                .to_string()
        } else {
            format!("not readable as JSON: {e}")
        };
        FileError {
            line: (e.line() > 0).then(|| u32::try_from(e.line()).unwrap_or(u32::MAX)),
            message,
        }
    })?;
    let index = LineIndex::new(text);
    for raw in items {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        let line = index.line(offset);
        match serde_json::from_str::<Value>(raw.get()) {
            Ok(value) => emit_value(line, value, emit),
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
    for (i, line_text) in text.split('\n').enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = line_text.trim();
        if trimmed.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(trimmed) {
            Ok(value) => emit_value(line, value, emit),
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

fn emit_value(line: u32, value: Value, emit: &mut Emit<'_>) {
    match value {
        Value::Object(map) => {
            let mut fields = Vec::with_capacity(map.len() + 4);
            for (key, value) in map {
                flatten(key.to_ascii_lowercase(), value, &mut fields);
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

fn flatten(key: String, value: Value, out: &mut Vec<(Cow<'static, str>, Cow<'static, str>)>) {
    match value {
        Value::Null => {}
        Value::String(s) => out.push((key.into(), s.into())),
        Value::Number(n) => out.push((key.into(), n.to_string().into())),
        Value::Bool(b) => out.push((key.into(), b.to_string().into())),
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                flatten(format!("{key}[{i}]"), item, out);
            }
        }
        Value::Object(map) => {
            for (sub, item) in map {
                flatten(format!("{key}.{}", sub.to_ascii_lowercase()), item, out);
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
