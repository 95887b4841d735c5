//! The data each template sees: view structs made for templates, not the
//! domain types. Every string here is plain text; the templates' autoescape
//! makes it safe for Typst.
//!
//! TEMPLATES.md documents these fields for agencies that write their own
//! templates.

mod certificate;
mod decision;
mod header;
mod list;
mod report;

pub use certificate::*;
pub use decision::*;
pub use header::*;
pub use list::*;
pub use report::*;
