//! Getting a rendered site into a [`Sink`]: pages rendered on every core while one
//! thread writes them, another makes their folders ahead of it, and a third copies the
//! static files. Rendering scales with cores; creating thousands of folders and files
//! from several threads at once mostly contends in the kernel (more system time and a
//! slower build, as measured in BENCHMARKS.md).

use super::Sink;
use crate::diagnostics::{Problem, capped};
use rayon::prelude::*;
use std::path::PathBuf;

/// Files copied beside the rendering, and files written as they are (`_headers`).
#[derive(Default)]
pub struct Statics {
    /// `(source, output path)`.
    pub copied: Vec<(PathBuf, String)>,
    /// `(output path, bytes)`.
    pub written: Vec<(String, Vec<u8>)>,
}

/// Renders every page with `render` and, when there is a sink, writes it at
/// `file(page)` and copies the `statics` beside; without one (`check`), only renders.
/// Pages render in the order given. Returns every page's and file's problems, write
/// failures capped (a full disk fails them all).
pub fn site<P: Sync, S: Sink>(
    sink: Option<&S>,
    pages: &[P],
    file: impl Fn(&P) -> String + Sync,
    render: impl Fn(&P) -> Result<Vec<u8>, Problem> + Sync,
    statics: Option<Statics>,
) -> Vec<Problem> {
    let Some(sink) = sink else {
        return pages.par_iter().filter_map(|p| render(p).err()).collect();
    };
    std::thread::scope(|scope| {
        let copying = statics.map(|statics| scope.spawn(|| copy(sink, statics)));
        let mut problems = write_pages(sink, pages, &file, &render);
        if let Some(copying) = copying {
            problems.extend(copying.join().expect("copying static files does not panic"));
        }
        problems
    })
}

fn write_pages<P: Sync, S: Sink>(
    sink: &S,
    pages: &[P],
    file: &(impl Fn(&P) -> String + Sync),
    render: &(impl Fn(&P) -> Result<Vec<u8>, Problem> + Sync),
) -> Vec<Problem> {
    std::thread::scope(|scope| {
        // Folders are made on their own thread: making one only contends with making
        // others in the same parent, not with writing files into folders already made.
        scope.spawn(|| sink.make_folders(&mut pages.iter().map(file)));
        let (batches, written) = std::sync::mpsc::sync_channel::<Vec<(String, Vec<u8>)>>(QUEUE);
        let writer = scope.spawn(move || {
            written
                .into_iter()
                .flatten()
                .filter_map(|(file, text)| {
                    sink.write(&file, &text)
                        .map_err(|e| Problem::error(format!("cannot write {file}: {e}")))
                        .err()
                })
                .collect::<Vec<_>>()
        });
        // The writer only stops early by panicking, which the join below reports, so a
        // failed send needs no handling here.
        let send = |batch: Vec<(String, Vec<u8>)>| drop(batches.send(batch));
        let mut problems: Vec<Problem> = pages
            .par_iter()
            .fold(Batch::default, |mut batch, page| {
                match render(page) {
                    Ok(text) => {
                        batch.pages.push((file(page), text));
                        if batch.pages.len() == BATCH {
                            send(std::mem::take(&mut batch.pages));
                        }
                    }
                    Err(problem) => batch.problems.push(problem),
                }
                batch
            })
            .flat_map_iter(|batch| {
                if !batch.pages.is_empty() {
                    send(batch.pages);
                }
                batch.problems
            })
            .collect();
        drop(batches);
        let unwritten = writer.join().expect("the page writer does not panic");
        problems.extend(capped(unwritten, NAMED, "pages could not be written"));
        problems
    })
}

/// Copies the static files and writes the others.
fn copy<S: Sink>(sink: &S, statics: Statics) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (source, output) in &statics.copied {
        if let Err(e) = sink.copy(source, output) {
            problems.push(
                Problem::error(format!("cannot copy: {e}")).in_file(source.to_string_lossy()),
            );
        }
    }
    for (output, bytes) in &statics.written {
        if let Err(e) = sink.write(output, bytes) {
            problems.push(Problem::error(format!("cannot write {output}: {e}")));
        }
    }
    capped(problems, NAMED, "files could not be copied")
}

/// Batches of pages rendered but not yet written: enough to keep the writer busy, few
/// enough that memory does not grow with the site.
const QUEUE: usize = 8;

/// Pages go to the writer in batches: one hand-over per page woke a sleeping thread
/// thousands of times a second.
const BATCH: usize = 32;

/// Files that could not be written or copied, named one by one.
const NAMED: usize = 10;

/// What one rendering job has made and not yet handed over.
#[derive(Default)]
struct Batch {
    pages: Vec<(String, Vec<u8>)>,
    problems: Vec<Problem>,
}
