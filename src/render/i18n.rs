//! Interface strings from `themes/<theme>/i18n/<lang>.toml`, so templates never hold
//! English text and a new language is a file, not code.

use crate::diagnostics::{Diagnostics, Problem, line_of_offset};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct Translations {
    default_lang: String,
    /// `themes/<theme>`, to name the file a missing key belongs in.
    theme_rel: String,
    strings: HashMap<String, HashMap<String, String>>,
    /// (language, key) pairs looked up but absent, reported once after rendering.
    missing: Mutex<BTreeSet<(String, String)>>,
}

impl Translations {
    /// Reads one file per language; keys are flat (`recommended_cars = "Recommended Cars"`).
    pub fn load(
        theme_dir: &Path,
        theme_rel: &str,
        langs: &[String],
        default_lang: &str,
    ) -> (Self, Diagnostics) {
        let mut problems = Diagnostics::default();
        let mut strings = HashMap::new();
        for lang in langs {
            let file = format!("{theme_rel}/i18n/{lang}.toml");
            let table = match std::fs::read_to_string(
                theme_dir.join("i18n").join(format!("{lang}.toml")),
            ) {
                Ok(text) => match toml::from_str::<BTreeMap<String, String>>(&text) {
                    Ok(t) => t,
                    Err(e) => {
                        let mut p = Problem::error(e.message().trim().to_string()).in_file(&file);
                        if let Some(span) = e.span() {
                            p = p.at_line(line_of_offset(&text, span.start));
                        }
                        problems.push(p);
                        continue;
                    }
                },
                Err(_) => {
                    problems.push(
                        Problem::warning(format!(
                            "no translation file for language `{lang}`; using `{default_lang}`"
                        ))
                        .in_file(&file),
                    );
                    BTreeMap::new()
                }
            };
            strings.insert(lang.clone(), table.into_iter().collect());
        }
        let translations = Translations {
            default_lang: default_lang.to_string(),
            theme_rel: theme_rel.to_string(),
            strings,
            missing: Mutex::default(),
        };
        (translations, problems)
    }

    /// The string for `key` in `lang`, falling back to the default language, then to the
    /// key itself; every miss is remembered for [`Self::take_missing`].
    pub fn get<'a>(&'a self, lang: &str, key: &'a str) -> &'a str {
        if let Some(s) = self.strings.get(lang).and_then(|m| m.get(key)) {
            return s;
        }
        self.missing
            .lock()
            .expect("no panics while held")
            .insert((lang.to_string(), key.to_string()));
        self.strings
            .get(&self.default_lang)
            .and_then(|m| m.get(key))
            .map_or(key, String::as_str)
    }

    /// Warnings for every key a template asked for that a language lacks.
    pub fn take_missing(&self) -> Diagnostics {
        let missing = std::mem::take(&mut *self.missing.lock().expect("no panics while held"));
        missing
            .into_iter()
            .map(|(lang, key)| {
                Problem::warning(format!(
                    "missing translation `{key}` for language `{lang}`; using `{}`",
                    self.default_lang
                ))
                .in_file(format!("{}/i18n/{lang}.toml", self.theme_rel))
                .with_field(key)
            })
            .collect()
    }
}

/// Replaces every `{{ t(key="…", lang=lang) }}` whose key is a literal with the string
/// itself, escaped when the template is: most interface strings then cost nothing per
/// page, where a function call per string and page was a fifth of rendering. Calls in
/// any other form (a computed key, another language) are left for the `t` function.
pub fn inline_literal_keys(
    template: &str,
    lang: &str,
    strings: &Translations,
    escape: Option<fn(&str) -> String>,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(Some(tag)) = crate::text::next_tag(rest) {
        out.push_str(&rest[..tag.start]);
        let text = &rest[tag.clone()];
        let value = literal_key(text)
            .map(|key| strings.get(lang, key))
            // A string that looks like a tag would be compiled as one.
            .filter(|value| !["{{", "{%", "{#"].iter().any(|o| value.contains(o)));
        match (value, escape) {
            (Some(value), Some(escape)) => out.push_str(&escape(value)),
            (Some(value), None) => out.push_str(value),
            (None, _) => out.push_str(text),
        }
        rest = &rest[tag.end..];
    }
    out.push_str(rest);
    out
}

/// `key` of a tag that is exactly `{{ t(key="key", lang=lang) }}` (either quotes).
fn literal_key(tag: &str) -> Option<&str> {
    let call = tag.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let (key, lang) = call
        .strip_prefix("t(")?
        .strip_suffix(')')?
        .split_once(',')?;
    if lang.trim() != "lang=lang" {
        return None;
    }
    let quoted = key.trim().strip_prefix("key=")?;
    let key = ['"', '\'']
        .iter()
        .find_map(|q| quoted.strip_prefix(*q)?.strip_suffix(*q))?;
    (!key.contains(['"', '\'', '~'])).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings() -> Translations {
        let en = [("sold", "Sold & gone"), ("tricky", "{{ x }}")]
            .map(|(k, v)| (k.to_string(), v.to_string()));
        Translations {
            default_lang: "en".into(),
            strings: HashMap::from([("en".to_string(), en.into_iter().collect())]),
            ..Translations::default()
        }
    }

    #[test]
    fn literal_keys_are_inlined_escaped_and_other_calls_are_left_alone() {
        let template = r#"<b>{{ t(key="sold", lang=lang) }}</b><i title="{{ t(key='sold', lang=lang) }}"></i>{{ t(key="fuel_" ~ car.fuel, lang=lang) }}{{ t(key="sold", lang=a.lang) }}{{ t(key="tricky", lang=lang) }}"#;
        let strings = strings();
        let inlined = inline_literal_keys(template, "en", &strings, Some(crate::render::escape));
        assert_eq!(
            inlined,
            r#"<b>Sold &amp; gone</b><i title="Sold &amp; gone"></i>{{ t(key="fuel_" ~ car.fuel, lang=lang) }}{{ t(key="sold", lang=a.lang) }}{{ t(key="tricky", lang=lang) }}"#
        );
        let plain = inline_literal_keys(r#"{{ t(key="sold", lang=lang) }}"#, "en", &strings, None);
        assert_eq!(plain, "Sold & gone");
    }
}
