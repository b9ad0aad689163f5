//! TOML front matter between `+++` lines, shared by pages and policy versions.

use crate::diagnostics::{Problem, line_of_offset};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// A front-matter file split and parsed: the typed header and the Markdown body.
pub struct Parsed<T> {
    pub front: T,
    pub body: String,
}

/// Splits `+++ … +++` off `text` and parses it as `T`; errors name `file` and the line
/// inside the file (not inside the front matter).
pub fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<Parsed<T>, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let missing = || {
        Problem::error("expected TOML front matter between `+++` lines at the top of the file")
            .in_file(file)
            .at_line(1)
    };
    let rest = text
        .strip_prefix("+++\r\n")
        .or_else(|| text.strip_prefix("+++\n"))
        .ok_or_else(missing)?;
    let front_start = text.len() - rest.len();
    let (front, body) = find_closing(rest).ok_or_else(|| {
        Problem::error("front matter is not closed: expected a line `+++`")
            .in_file(file)
            .at_line(1)
    })?;
    let front_value = toml::from_str::<T>(front).map_err(|e| {
        let offset = front_start + e.span().map_or(0, |s| s.start);
        Problem::error(e.message().trim().to_string())
            .in_file(file)
            .at_line(line_of_offset(text, offset))
    })?;
    Ok(Parsed {
        front: front_value,
        body: body.to_string(),
    })
}

/// Finds the closing `+++` line; returns the front matter and the body after it.
fn find_closing(rest: &str) -> Option<(&str, &str)> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// A calendar date written either as a TOML date (`2025-05-28`) or a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FrontDate(pub jiff::civil::Date);

impl<'de> Deserialize<'de> for FrontDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let text = match toml::Value::deserialize(d)? {
            toml::Value::Datetime(dt) => match (dt.date, dt.time) {
                (Some(date), None) => date.to_string(),
                _ => {
                    return Err(D::Error::custom(
                        "expected a date like 2025-05-28, without a time",
                    ));
                }
            },
            toml::Value::String(s) => s,
            other => {
                return Err(D::Error::custom(format!(
                    "expected a date like 2025-05-28, found {}",
                    other.type_str()
                )));
            }
        };
        text.parse().map(FrontDate).map_err(|_| {
            D::Error::custom(format!("expected a date like 2025-05-28, found {text:?}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Front {
        title: String,
        date: Option<FrontDate>,
    }

    #[test]
    fn splits_front_matter_and_body_with_crlf() {
        let p: Parsed<Front> = parse(
            "a.md",
            "+++\r\ntitle = \"A\"\r\ndate = 2025-05-28\r\n+++\r\nBody",
        )
        .unwrap();
        assert_eq!(p.front.title, "A");
        assert_eq!(p.front.date.unwrap().0.to_string(), "2025-05-28");
        assert_eq!(p.body, "Body");
    }

    #[test]
    fn reports_the_file_line_of_a_bad_key() {
        let text = "+++\ntitle = \"A\"\ncolour = 1\n+++\n";
        let err = parse::<Front>("content/a.md", text).err().unwrap();
        assert_eq!(err.file.as_deref(), Some("content/a.md"));
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("colour"), "{}", err.message);
    }

    #[test]
    fn rejects_a_date_with_a_time_or_nonsense() {
        let err = parse::<Front>("a.md", "+++\ntitle = \"A\"\ndate = \"May 5\"\n+++\n")
            .err()
            .unwrap();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("2025-05-28"), "{}", err.message);
    }

    #[test]
    fn missing_front_matter_is_an_error_on_line_one() {
        let err = parse::<Front>("a.md", "# Title\n").err().unwrap();
        assert_eq!(err.line, Some(1));
    }
}
