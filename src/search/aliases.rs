//! Other names of makes (`宝马` for BMW, `VW` for Volkswagen), so that a search in either
//! script finds the same cars: a list built into Showroom (`make_aliases.toml` beside this
//! file), to which a site adds its own in `data/make_aliases.toml`, in the same shape.
//! The file is read here, when the index is built, like the photos the images stage
//! reads: it matters to nothing else.

use super::words;
use crate::diagnostics::{Problem, line_of_offset};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The site's additions, relative to its root.
pub const FILE: &str = "data/make_aliases.toml";

const BUILT_IN: &str = include_str!("make_aliases.toml");

/// Groups of names that mean one make.
#[derive(Debug, Default)]
pub struct Aliases {
    groups: Vec<Vec<String>>,
    /// A name's [`key`] to its group.
    by_key: HashMap<String, usize>,
}

impl Aliases {
    /// The built-in list with the site's additions; a site file that cannot be read or
    /// parsed is an error with its line, and the built-in list is used alone.
    pub fn load(root: &Path) -> (Aliases, Option<Problem>) {
        let mut aliases = Aliases::default();
        let built_in = toml::from_str(BUILT_IN).expect("the built-in make aliases parse");
        aliases.add(built_in);
        let text = match std::fs::read_to_string(root.join(FILE)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (aliases, None),
            Err(e) => {
                let problem = Problem::error(format!("cannot read: {e}")).in_file(FILE);
                return (aliases, Some(problem));
            }
        };
        match toml::from_str::<BTreeMap<String, Vec<String>>>(&text) {
            Ok(site) => {
                aliases.add(site);
                (aliases, None)
            }
            Err(e) => {
                let message = format!(
                    "{} (expected lines like `BMW = [\"宝马\"]`)",
                    e.message().trim()
                );
                let mut p = Problem::error(message).in_file(FILE);
                if let Some(span) = e.span() {
                    p = p.at_line(line_of_offset(&text, span.start));
                }
                (aliases, Some(p))
            }
        }
    }

    /// Adds each make's names: to the group of any of them already known, else as a
    /// new group.
    fn add(&mut self, list: BTreeMap<String, Vec<String>>) {
        for (make, names) in list {
            let all: Vec<String> = std::iter::once(make).chain(names).collect();
            let group = all
                .iter()
                .find_map(|name| self.by_key.get(&key(name)).copied())
                .unwrap_or_else(|| {
                    self.groups.push(Vec::new());
                    self.groups.len() - 1
                });
            for name in all {
                let k = key(&name);
                if k.is_empty() || self.by_key.contains_key(&k) {
                    continue;
                }
                self.by_key.insert(k, group);
                self.groups[group].push(name);
            }
        }
    }

    /// Every name of `make`'s group, `make`'s own spelling included, or none.
    pub fn names(&self, make: &str) -> &[String] {
        self.by_key
            .get(&key(make))
            .map_or(&[], |&group| &self.groups[group])
    }
}

/// A name as aliases compare it: its words, joined.
fn key(name: &str) -> String {
    words::query_words(name).concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_names_cover_both_scripts_whatever_the_spelling() {
        let (aliases, problem) = Aliases::load(Path::new("/nonexistent"));
        assert!(problem.is_none());
        assert!(aliases.names("BMW").contains(&"宝马".to_string()));
        assert!(aliases.names("宝马").contains(&"BMW".to_string()));
        assert!(aliases.names("mercedes benz").contains(&"奔驰".to_string()));
        assert!(aliases.names("VW").contains(&"大众".to_string()));
        assert!(aliases.names("Unknown Motors").is_empty());
    }

    #[test]
    fn a_site_adds_names_and_makes_and_a_broken_file_is_located() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let file = dir.path().join(FILE);
        std::fs::write(&file, "Haval = [\"哈佛\"]\n\"Zhi Dou\" = [\"知豆\"]\n").unwrap();
        let (aliases, problem) = Aliases::load(dir.path());
        assert!(problem.is_none());
        let haval = aliases.names("Haval");
        assert!(haval.contains(&"哈弗".to_string()) && haval.contains(&"哈佛".to_string()));
        assert!(aliases.names("知豆").contains(&"Zhi Dou".to_string()));
        std::fs::write(&file, "BMW = [\"宝马\"]\nAudi = \"奥迪\"\n").unwrap();
        let (aliases, problem) = Aliases::load(dir.path());
        let problem = problem.expect("a problem");
        assert_eq!(problem.line, Some(2));
        assert_eq!(problem.file.as_deref(), Some(FILE));
        assert!(
            !aliases.names("BMW").is_empty(),
            "the built-in list still applies"
        );
    }
}
