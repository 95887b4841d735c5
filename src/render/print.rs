//! A list's print file: all its certificates in one PDF, for the printer.
//!
//! Certificate batches are compiled in parallel and finish in any order; the
//! print file needs them in list order. Each batch is appended as soon as
//! every batch before it is, so only the few batches that finished early wait
//! in memory, never the whole list.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::Mutex;

use anyhow::{Context, Result};

use super::split::Joiner;

pub struct PrintFile {
    state: Mutex<State>,
}

struct State {
    joiner: Joiner<BufWriter<File>>,
    /// The batch to append next.
    next: usize,
    /// Batches that finished before an earlier one, by index.
    waiting: BTreeMap<usize, Vec<u8>>,
}

impl PrintFile {
    pub fn new(file: BufWriter<File>) -> Result<Self> {
        Ok(PrintFile {
            state: Mutex::new(State {
                joiner: Joiner::new(file)?,
                next: 0,
                waiting: BTreeMap::new(),
            }),
        })
    }

    /// Batch `index` (0-based, in list order), appended once every earlier
    /// batch is.
    pub fn add(&self, index: usize, pdf: Vec<u8>) -> Result<()> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| anyhow::anyhow!("Tệp in gộp bị lỗi"))?;
        state.waiting.insert(index, pdf);
        loop {
            let next = state.next;
            let Some(pdf) = state.waiting.remove(&next) else {
                return Ok(());
            };
            state.joiner.add(&pdf)?;
            state.next += 1;
        }
    }

    /// Closes the file; every batch must have arrived.
    pub fn finish(self) -> Result<()> {
        let state = self
            .state
            .into_inner()
            .map_err(|_| anyhow::anyhow!("Tệp in gộp bị lỗi"))?;
        anyhow::ensure!(
            state.waiting.is_empty(),
            "Tệp in gộp thiếu đợt {} trong khi đã có các đợt sau",
            state.next + 1
        );
        state
            .joiner
            .finish()?
            .flush()
            .context("Không ghi được tệp in gộp")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Document, Object, Stream, dictionary};

    /// A one-page PDF whose page content is `text`.
    fn page(text: &str) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let content = doc.add_object(Stream::new(dictionary! {}, text.as_bytes().to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content,
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page_id.into()],
                "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        bytes
    }

    #[test]
    fn batches_arriving_out_of_order_are_printed_in_list_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in-gop.pdf");
        let print = PrintFile::new(BufWriter::new(File::create(&path).unwrap())).unwrap();
        print.add(2, page("third")).unwrap();
        print.add(0, page("first")).unwrap();
        print.add(1, page("second")).unwrap();
        print.finish().unwrap();

        let joined = Document::load(&path).unwrap();
        let texts: Vec<String> = joined
            .get_pages()
            .values()
            .map(|&id| {
                String::from_utf8(joined.get_page_content(id))
                    .unwrap()
                    .trim()
                    .to_string()
            })
            .collect();
        assert_eq!(texts, ["first", "second", "third"]);
    }

    #[test]
    fn a_missing_batch_is_an_error_not_a_short_file() {
        let dir = tempfile::tempdir().unwrap();
        let print = PrintFile::new(BufWriter::new(
            File::create(dir.path().join("x.pdf")).unwrap(),
        ))
        .unwrap();
        print.add(1, page("second")).unwrap();
        assert!(print.finish().is_err());
    }
}
