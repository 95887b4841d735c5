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
    pub fn new(file: File) -> Result<Self> {
        Ok(PrintFile {
            state: Mutex::new(State {
                joiner: Joiner::new(BufWriter::new(file))?,
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
