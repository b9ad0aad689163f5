//! Tera set-up: the theme's templates (overridable by the site's `templates/`), the
//! interface strings and the functions templates may call. Templates only present:
//! everything they show is computed before they run.

pub mod context;
pub mod fragments;
pub mod globals;
pub mod i18n;

use crate::assets::Assets;
use crate::diagnostics::{Diagnostics, Problem};
use i18n::Translations;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::error::Error as _;
use std::path::Path;
use std::sync::Arc;
use tera::{Context, Tera, Value};

pub struct Renderer {
    by_lang: HashMap<String, Tera>,
    /// Template name to its source file relative to the site root, for error messages.
    sources: HashMap<String, String>,
    pub translations: Arc<Translations>,
}

impl Renderer {
    /// Loads every template of `themes/<theme>/templates/`, then `templates/` over it;
    /// HTML templates are minified first when `minify` is on.
    pub fn new(
        root: &Path,
        theme: &str,
        langs: &[String],
        default_lang: &str,
        assets: &Assets,
        minify: bool,
    ) -> Result<(Renderer, Diagnostics), Diagnostics> {
        let theme_rel = format!("themes/{theme}");
        let theme_dir = root.join(&theme_rel);
        if !theme_dir.join("templates").is_dir() {
            let p = Problem::error(format!(
                "theme `{theme}` not found: expected a folder {theme_rel}/templates"
            ))
            .in_file(crate::config::FILE_NAME)
            .with_field("theme");
            return Err(std::iter::once(p).collect());
        }
        let mut problems = Diagnostics::default();
        let mut sources = HashMap::new();
        let mut texts = BTreeMap::new();
        for (dir, rel) in [
            (
                theme_dir.join("templates"),
                format!("{theme_rel}/templates"),
            ),
            (root.join("templates"), "templates".into()),
        ] {
            for entry in walkdir::WalkDir::new(&dir)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let name = entry
                    .path()
                    .strip_prefix(&dir)
                    .expect("walked inside dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                let file = format!("{rel}/{name}");
                match std::fs::read_to_string(entry.path()) {
                    Ok(text) => {
                        texts.insert(name.clone(), text);
                        sources.insert(name, file);
                    }
                    Err(e) => {
                        problems.push(Problem::error(format!("cannot read: {e}")).in_file(file))
                    }
                }
            }
        }
        let minified: Vec<_> = texts
            .iter()
            .map(|(name, text)| {
                if !(minify && name.ends_with(".html")) {
                    return (name, Cow::Borrowed(text.as_str()));
                }
                match crate::output::minify::html_template(text) {
                    Some(small) => (name, Cow::Owned(small)),
                    None => {
                        problems.push(
                            Problem::warning(
                                "is not minified: the minifier could not keep its template tags \
                             and elements in place; expected tags such as {% if %} outside an \
                             element's attributes, and each branch of an {% if %} closing the \
                             elements it opens",
                            )
                            .in_file(&sources[name]),
                        );
                        (name, Cow::Borrowed(text.as_str()))
                    }
                }
            })
            .collect();
        let (translations, i18n_problems) =
            Translations::load(&theme_dir, &theme_rel, langs, default_lang);
        problems.extend(i18n_problems);
        let translations = Arc::new(translations);
        // One Tera per language, each with that language's strings already in place.
        let mut by_lang = HashMap::new();
        for lang in langs {
            let inlined = minified.iter().map(|(name, text)| {
                let escaped = AUTOESCAPED.iter().any(|e| name.ends_with(e));
                let text = i18n::inline_literal_keys(
                    text,
                    lang,
                    &translations,
                    escaped.then_some(escape as fn(&str) -> String),
                );
                (name.as_str(), text)
            });
            let mut tera = new_tera();
            if let Err(e) = tera.add_raw_templates(inlined.collect::<Vec<_>>()) {
                // Report the line in the file as written, not in its prepared form.
                let written = new_tera().add_raw_templates(texts.iter()).err();
                problems.push(template_problem(written.as_ref().unwrap_or(&e), &sources));
                return Err(problems);
            }
            register_functions(&mut tera, &translations, assets);
            register_filters(&mut tera, &translations);
            by_lang.insert(lang.clone(), tera);
        }
        Ok((
            Renderer {
                by_lang,
                sources,
                translations,
            },
            problems,
        ))
    }

    /// Renders `template` for a page in `lang`, one of the languages it was loaded with.
    pub fn render(&self, template: &str, lang: &str, context: &Context) -> Result<String, Problem> {
        let bytes = self.render_bytes(template, lang, context)?;
        String::from_utf8(bytes)
            .map_err(|e| Problem::error(format!("{template} rendered invalid UTF-8: {e}")))
    }

    /// Like [`Renderer::render`], for output written as it is: Tera writes only strings,
    /// so checking each page's UTF-8 again would be wasted work.
    pub fn render_bytes(
        &self,
        template: &str,
        lang: &str,
        context: &Context,
    ) -> Result<Vec<u8>, Problem> {
        thread_local! {
            /// Each rendering thread's output buffer, kept at its largest page's size:
            /// Tera's own starts at 2 kB and grows by copying, four times for a car page.
            static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        }
        OUTPUT.with_borrow_mut(|output| {
            output.clear();
            self.by_lang[lang]
                .render_to(template, context, &mut *output)
                .map_err(|e| template_problem(&e, &self.sources))?;
            Ok(output.clone())
        })
    }
}

/// Templates whose output Tera escapes, by file-name ending.
const AUTOESCAPED: &[&str] = &[".html", ".xml"];

fn new_tera() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(AUTOESCAPED.to_vec());
    tera.set_escape_fn(escape);
    tera
}

/// Escapes what can break out of text or a quoted attribute. Tera's default also
/// escapes `/`, which leaves every URL in the output as `&#x2F;cars&#x2F;`.
pub fn escape(text: &str) -> String {
    crate::text::replace_bytes(text, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    })
}

fn register_functions(tera: &mut Tera, translations: &Arc<Translations>, assets: &Assets) {
    let strings = Arc::clone(translations);
    tera.register_function("t", move |args: &HashMap<String, Value>| {
        let key = str_arg(args, "key")?;
        let lang = str_arg(args, "lang")?;
        Ok(Value::String(strings.get(lang, key).to_string()))
    });
    let urls = assets.urls.clone();
    tera.register_function("asset_url", move |args: &HashMap<String, Value>| {
        let path = str_arg(args, "path")?;
        urls.get(path.trim_start_matches('/'))
            .map(|u| Value::String(u.clone()))
            .ok_or_else(|| {
                tera::Error::msg(format!(
                    "asset_url: no static file `{path}` in the theme or the site"
                ))
            })
    });
}

/// Filters the theme needs that Tera's built-ins would bring with many dependencies:
/// `urlencode` for `mailto:` subjects, `human_date(lang=…)` for dates as people write them.
fn register_filters(tera: &mut Tera, translations: &Arc<Translations>) {
    tera.register_filter("urlencode", |value: &Value, _: &HashMap<String, Value>| {
        let text = value
            .as_str()
            .ok_or_else(|| tera::Error::msg("urlencode: expected a string"))?;
        let encoded =
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC);
        Ok(Value::String(encoded.to_string()))
    });
    let strings = Arc::clone(translations);
    tera.register_filter(
        "human_date",
        move |value: &Value, args: &HashMap<String, Value>| {
            let text = value
                .as_str()
                .ok_or_else(|| tera::Error::msg("human_date: expected a YYYY-MM-DD string"))?;
            let date: jiff::civil::Date = text
                .parse()
                .map_err(|e| tera::Error::msg(format!("human_date: `{text}`: {e}")))?;
            let pattern = strings.get(str_arg(args, "lang")?, "date_format");
            Ok(Value::String(date.strftime(pattern).to_string()))
        },
    );
}

fn str_arg<'a>(args: &'a HashMap<String, Value>, name: &str) -> tera::Result<&'a str> {
    args.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| tera::Error::msg(format!("expected a string argument `{name}`")))
}

/// Turns Tera's error chain into one located problem: the template's file, the line
/// where the parser stopped, and the innermost explanation.
fn template_problem(error: &tera::Error, sources: &HashMap<String, String>) -> Problem {
    let mut chain = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        chain.push(e.to_string());
        source = e.source();
    }
    let quoted = |text: &str| {
        sources
            .iter()
            .filter(|(name, _)| {
                text.contains(&format!("'{name}'")) || text.contains(&format!("\"{name}\""))
            })
            .max_by_key(|(name, _)| name.len())
            .map(|(_, file)| file.clone())
    };
    let file = chain.iter().find_map(|m| quoted(m));
    let line = chain.iter().find_map(|m| {
        let rest = &m[m.find("--> ")? + 4..];
        rest.split(':').next()?.trim().parse::<u32>().ok()
    });
    let innermost = chain.last().expect("chain has the error itself");
    let message = innermost
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or(innermost)
        .trim()
        .to_string();
    let message = if chain.len() > 1 && !innermost.contains("-->") {
        format!("{}: {message}", chain[0])
    } else {
        format!("template syntax: {message}")
    };
    let mut p = Problem::error(message);
    if let Some(file) = file {
        p = p.in_file(file);
    }
    if let Some(line) = line {
        p = p.at_line(line);
    }
    p
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_keeps_urls_readable_and_markup_inert() {
        assert_eq!(super::escape("/cars/bmw/"), "/cars/bmw/");
        assert_eq!(
            super::escape(r#"<a href="x" onclick='y'>&"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;"
        );
    }
}
