//! `showroom init`: a new marketplace that builds at once, as `zola init` and `hugo new
//! site` give one. The starter site and the default theme are built into the program,
//! so it needs nothing but itself.

use crate::diagnostics::Problem;
use include_dir::{Dir, DirEntry, include_dir};
use jiff::civil::Date;
use std::path::{Path, PathBuf};

/// Config, a home and an about page, the two policies, one supplier with a sample feed.
static STARTER: Dir = include_dir!("$CARGO_MANIFEST_DIR/src/init/site");
/// The theme the starter site uses.
static THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/showroom");

/// Stands for the date in the starter's policy file names and texts, and in its feed.
const DATE: &str = "EFFECTIVE";
const UPDATED: &str = "UPDATED";

/// Writes the starter site into `folder` (made if missing), its policies in force and its
/// cars updated on `date`. Returns the files written. A folder that holds anything is
/// refused untouched.
pub fn init(folder: &Path, date: Date) -> Result<Vec<PathBuf>, Problem> {
    let refuse = |why: String| Problem::error(format!("{}: {why}", folder.display()));
    if folder.is_file() {
        return Err(refuse(
            "is a file; expected a new or empty folder for the new site".into(),
        ));
    }
    match std::fs::read_dir(folder).map(|mut entries| entries.next().is_some()) {
        Ok(true) => {
            return Err(refuse(
                "is not empty; expected a new or empty folder for the new site".into(),
            ));
        }
        Ok(false) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(refuse(format!("cannot be read: {e}"))),
    }
    let date = date.to_string();
    let starter = files(&STARTER).map(|(path, bytes)| {
        let path = path.to_string_lossy().replace(DATE, &date);
        let text = String::from_utf8_lossy(bytes)
            .replace(DATE, &date)
            .replace(UPDATED, &date);
        (PathBuf::from(path), text.into_bytes())
    });
    let theme = files(&THEME)
        .map(|(path, bytes)| (Path::new("themes/showroom").join(path), bytes.to_vec()));
    // Written beside the folder and renamed into place, so a failure halfway (a full
    // disk) leaves no half site that the next try would refuse as not empty.
    let name = folder
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    let parent = folder.parent().unwrap_or(Path::new("."));
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let staging = parent.join(format!(".{name}.init-{}", std::process::id()));
    let mut written = Vec::new();
    let result = std::fs::create_dir_all(&staging)
        .map_err(|e| refuse(format!("cannot create {}: {e}", staging.display())))
        .and_then(|()| {
            for (rel, bytes) in starter.chain(theme) {
                let path = staging.join(&rel);
                path.parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&path, bytes))
                    .map_err(|e| refuse(format!("cannot write {}: {e}", rel.display())))?;
                written.push(folder.join(rel));
            }
            // An empty folder is replaced by the new one; a missing one appears.
            std::fs::rename(&staging, folder)
                .map_err(|e| refuse(format!("cannot move the new site into place: {e}")))
        });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result.map(|()| written)
}

/// Every file under `dir`, with its path relative to it.
fn files<'a>(dir: &'a Dir<'a>) -> Box<dyn Iterator<Item = (&'a Path, &'a [u8])> + 'a> {
    Box::new(dir.entries().iter().flat_map(|entry| match entry {
        DirEntry::File(file) => {
            Box::new(std::iter::once((file.path(), file.contents()))) as Box<dyn Iterator<Item = _>>
        }
        DirEntry::Dir(dir) => files(dir),
    }))
}
