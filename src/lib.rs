//! tdkt — Thi đua – Khen thưởng: a secretariat's whole commendation campaign
//! in one batch run.
//!
//! The pipeline is a chain of stages, each a module, each taking the
//! previous stage's plain data: `ingest` → `map` → `validate` → `aggregate`
//! → `render` → `write`. See ARCHITECTURE.md.

pub mod aggregate;
pub mod book;
pub mod diagnostic;
pub mod feedback;
pub mod form;
pub mod format;
pub mod import;
pub mod ingest;
pub mod init;
pub mod issued;
pub mod legacy;
pub mod map;
pub mod memory;
pub mod model;
pub mod pipeline;
pub mod progress;
pub mod register;
pub mod regulation;
pub mod render;
pub mod serve;
pub mod settings;
#[cfg(test)]
mod testing;
pub mod text;
pub mod units;
pub mod validate;
pub mod verify;
pub mod write;
