//! Content pages grouped by translation, so a page can be found in every language.

use crate::site::Site;
use std::collections::BTreeMap;

/// Content pages grouped by translation: `about.md` and `about.zh.md` share the key
/// `content/about.md`.
pub struct ContentIndex {
    /// Per page (same index as `Site::pages`), its key.
    keys: Vec<String>,
    /// Key to the page in each language that has one.
    by_key: BTreeMap<String, BTreeMap<String, usize>>,
}

impl ContentIndex {
    pub fn new(site: &Site) -> ContentIndex {
        let mut keys = Vec::with_capacity(site.pages.len());
        let mut by_key: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (i, page) in site.pages.iter().enumerate() {
            let suffix = format!(".{}.md", page.lang);
            let key = match page.file.strip_suffix(&suffix) {
                Some(stem) if page.lang != site.config.default_language => format!("{stem}.md"),
                _ => page.file.clone(),
            };
            by_key
                .entry(key.clone())
                .or_default()
                .insert(page.lang.clone(), i);
            keys.push(key);
        }
        ContentIndex { keys, by_key }
    }

    /// The key of page `i` (as in `Site::pages`).
    pub fn key(&self, i: usize) -> &str {
        &self.keys[i]
    }

    /// Every key, in order.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.by_key.keys().map(String::as_str)
    }

    /// The page shown for `key` in `lang` and its path there: the translation, or the
    /// default language's page under the language's prefix. `None` when neither exists.
    pub fn resolve(&self, site: &Site, key: &str, lang: &str) -> Option<(usize, String)> {
        let versions = self.by_key.get(key)?;
        if let Some(&i) = versions.get(lang) {
            return Some((i, site.pages[i].path.clone()));
        }
        let &i = versions.get(&site.config.default_language)?;
        Some((
            i,
            format!("{}{}", site.lang_prefix(lang), site.pages[i].path),
        ))
    }

    /// The default language's pages that have no translation into `lang`.
    pub fn untranslated<'a>(
        &'a self,
        lang: &'a str,
        default_lang: &'a str,
    ) -> impl Iterator<Item = usize> + 'a {
        self.by_key
            .values()
            .filter_map(move |versions| match versions.get(lang) {
                Some(_) => None,
                None => versions.get(default_lang).copied(),
            })
    }

    /// Keys of the pages (not sections) in the folder of the section with `key`.
    pub fn children<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> {
        let dir = key.strip_suffix("_index.md").unwrap_or(key);
        self.by_key.keys().map(String::as_str).filter(move |k| {
            k.strip_prefix(dir)
                .is_some_and(|rest| !rest.contains('/') && rest != "_index.md")
        })
    }
}
