//! Typst as a library: our own `World`, serving fonts and sources from
//! memory. No typst CLI, no network, no file system access at compile time.
//!
//! A [`Typesetter`] is built once per run: it parses the fonts and builds
//! the standard library once, and every document compiles against it, in
//! parallel, through a small per-document [`DocumentWorld`].

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Label, Selector, Smart, Value};
use typst::introspection::MetadataElem;
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInstance};
use typst::utils::{LazyHash, PicoStr};
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

/// The fonts compiled into tdkt: Liberation Serif, metric-compatible with
/// Times New Roman and complete for Vietnamese (SIL OFL 1.1, see fonts/).
const EMBEDDED_FONTS: &[&[u8]] = &[
    include_bytes!("../../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../../fonts/LiberationSerif-BoldItalic.ttf"),
];

/// The embedded fonts as documents carry them: without hinting (see
/// `hinting`), made once per process.
fn embedded_fonts() -> &'static [Bytes] {
    static FONTS: std::sync::OnceLock<Vec<Bytes>> = std::sync::OnceLock::new();
    FONTS.get_or_init(|| {
        EMBEDDED_FONTS
            .iter()
            .map(|&data| match super::hinting::strip(data) {
                Some(stripped) => Bytes::new(stripped),
                None => Bytes::new(data),
            })
            .collect()
    })
}

/// Fonts, the standard library and shared files, made once per run.
pub struct Typesetter {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// Files documents may `#import` or `#image` (by virtual path).
    files: HashMap<FileId, Bytes>,
}

/// A compiled document's PDF bytes.
pub struct Pdf {
    pub bytes: Vec<u8>,
    /// Why it could not be PDF/A-2b (a glyph no font has), if so.
    pub not_archival: Option<String>,
    /// Pages (0-based) where text did not fit its box even at the smallest
    /// size the template allows (marked `<tdkt-overflow>`).
    pub overflowed_pages: Vec<usize>,
}

impl Typesetter {
    /// Loads the embedded fonts and, when given, every font file of
    /// `extra_fonts` (a campaign's `fonts/` folder), which then win.
    pub fn new(extra_fonts: Option<&Path>) -> Result<Self> {
        let mut fonts: Vec<Font> = Vec::new();
        if let Some(dir) = extra_fonts {
            for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
                let entry = entry
                    .with_context(|| format!("Không đọc được thư mục phông {}", dir.display()))?;
                let ext = entry
                    .path()
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if !matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc") {
                    continue;
                }
                let data = std::fs::read(entry.path())
                    .with_context(|| format!("Không đọc được phông {}", entry.path().display()))?;
                fonts.extend(Font::iter(Bytes::new(data)));
            }
        }
        fonts.extend(
            embedded_fonts()
                .iter()
                .flat_map(|data| Font::iter(data.clone())),
        );
        let book = FontBook::from_fonts(&fonts);
        Ok(Typesetter {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            files: HashMap::new(),
        })
    }

    /// Liberation Serif of the given style at `size` points, as documents
    /// select it.
    pub fn serif(&self, size: f64, bold: bool, italic: bool) -> Option<FontInstance> {
        use typst::layout::Abs;
        use typst::text::{FontStretch, FontStyle, FontVariant, FontVariations, FontWeight};
        let variant = FontVariant {
            style: if italic {
                FontStyle::Italic
            } else {
                FontStyle::Normal
            },
            weight: if bold {
                FontWeight::BOLD
            } else {
                FontWeight::REGULAR
            },
            stretch: FontStretch::NORMAL,
        };
        let font = self
            .book
            .select("liberation serif", variant)
            .and_then(|i| self.fonts.get(i))?;
        Some(
            font.clone()
                .instantiate(variant, Abs::pt(size), &FontVariations::default()),
        )
    }

    /// The width in millimetres of `text` in Liberation Serif of the given
    /// style at `size` points, from the glyphs' advances (no kerning): to
    /// warn of a line that cannot fit before it is laid out.
    pub fn text_width_mm(&self, text: &str, size: f64, bold: bool, italic: bool) -> f64 {
        let Some(font) = self.serif(size, bold, italic) else {
            return 0.0;
        };
        let face = font.ttf();
        let per_em = f64::from(face.units_per_em());
        let units: f64 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(per_em / 2.0, f64::from)
            })
            .sum();
        units / per_em * size * 25.4 / 72.0
    }

    /// Makes `bytes` available to documents at virtual path `path`.
    pub fn add_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<()> {
        self.files.insert(file_id(path)?, Bytes::new(bytes));
        Ok(())
    }

    /// Compiles Typst `source` into a PDF. `ident` names the document
    /// stably; `date` is its creation date, so output is reproducible.
    pub fn compile(
        &self,
        source: String,
        ident: &str,
        date: NaiveDate,
        tagged: bool,
    ) -> Result<Pdf> {
        let document = self.layout(source, date)?;
        self.export(&document, ident, date, tagged, None)
    }

    /// Exports a laid-out document as PDF: its first `pages` pages when
    /// given, else all.
    pub fn export(
        &self,
        document: &PagedDocument,
        ident: &str,
        date: NaiveDate,
        tagged: bool,
        pages: Option<usize>,
    ) -> Result<Pdf> {
        let overflowed_pages = overflowed_pages(document);
        let page_ranges = pages.map(|last| {
            typst::layout::PageRanges::new(vec![
                NonZeroUsize::new(1)..=NonZeroUsize::new(last.max(1)),
            ])
        });
        let timestamp = typst_date(date).map(Timestamp::new_utc);
        let options = |archival: bool| -> Result<PdfOptions> {
            let standards = if archival {
                // Archival PDF/A-2b: fonts embedded, every glyph present,
                // colours and metadata defined.
                typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
                    .map_err(|e| anyhow::anyhow!("PDF/A: {e:?}"))?
            } else {
                typst_pdf::PdfStandards::default()
            };
            Ok(PdfOptions {
                ident: Smart::Custom(ident.to_string()),
                creator: Smart::Custom(Some(format!("tdkt {}", env!("CARGO_PKG_VERSION")))),
                timestamp,
                tagged,
                standards,
                page_ranges: page_ranges.clone(),
                ..PdfOptions::default()
            })
        };
        let (mut bytes, not_archival) = match typst_pdf::pdf(document, &options(true)?) {
            Ok(bytes) => (bytes, None),
            // A character no font has (a symbol typed into a name) keeps a
            // document from being PDF/A; it is still printed, and said.
            Err(errors) => {
                let bytes = typst_pdf::pdf(document, &options(false)?).map_err(|errors| {
                    anyhow::anyhow!("Không xuất được PDF: {}", join_messages(&errors))
                })?;
                (bytes, Some(join_messages(&errors)))
            }
        };
        // The exporter reserves generously; batches are kept until merged.
        bytes.shrink_to_fit();
        Ok(Pdf {
            bytes,
            not_archival,
            overflowed_pages,
        })
    }

    /// Lays out Typst `source` into pages.
    pub fn layout(&self, source: String, date: NaiveDate) -> Result<PagedDocument> {
        let world = DocumentWorld {
            typesetter: self,
            main: Source::new(main_id(), source),
            today: typst_date(date),
        };
        let warned = typst::compile::<PagedDocument>(&world);
        warned
            .output
            .map_err(|errors| anyhow::anyhow!("{}", describe_errors(&world, &errors)))
    }
}

/// The pages holding a `<tdkt-overflow>` mark, each once, in order.
fn overflowed_pages(document: &PagedDocument) -> Vec<usize> {
    let mut pages: Vec<usize> = labelled(document, OVERFLOW_LABEL)
        .into_iter()
        .map(|(page, _)| page - 1)
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}

/// The marks labelled `label` in `document`, as (page, mark), pages from 1:
/// the numbers of the `#metadata(n)<tdkt-row>` (or `<tdkt-row-end>`) a
/// template puts in each line of a long list.
pub fn marks(document: &PagedDocument, label: &str) -> Vec<(usize, usize)> {
    labelled(document, label)
        .into_iter()
        .filter_map(
            |(page, element)| match element.to_packed::<MetadataElem>()?.value {
                Value::Int(n) => Some((page, usize::try_from(n).ok()?)),
                _ => None,
            },
        )
        .collect()
}

/// The elements labelled `label` in `document`, with their pages (from 1).
fn labelled(document: &PagedDocument, label: &str) -> Vec<(usize, typst::foundations::Content)> {
    let Some(label) = Label::new(PicoStr::intern(label)) else {
        return Vec::new();
    };
    let introspector = document.introspector();
    introspector
        .elements()
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|element| {
            let page = introspector.position(element.location()?)?.page.get();
            Some((page, element.clone()))
        })
        .collect()
}

/// The label at the start of each line of a long list
/// (templates/quyet-dinh.typ).
pub const ROW_LABEL: &str = "tdkt-row";
/// The label at the end of each cell of a line.
pub const ROW_END_LABEL: &str = "tdkt-row-end";

/// The label templates put on text that does not fit (lib.typ `fit-box`).
const OVERFLOW_LABEL: &str = "tdkt-overflow";

/// The view of one document's compilation.
struct DocumentWorld<'a> {
    typesetter: &'a Typesetter,
    main: Source,
    today: Option<Datetime>,
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.typesetter.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.typesetter.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        self.typesetter
            .files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.typesetter.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

/// Every document compiles as `/main.typ`: typst interns file ids for the
/// whole process (at most 65,535), so ids must not grow with the number of
/// documents.
fn main_id() -> FileId {
    file_id("main.typ").expect("a constant, valid path")
}

fn file_id(path: &str) -> Result<FileId> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| anyhow::anyhow!("Đường dẫn {path} không hợp lệ: {e}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

fn typst_date(date: NaiveDate) -> Option<Datetime> {
    Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
}

fn join_messages(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Errors with the line of generated Typst they point at, so a template
/// author can find the cause.
fn describe_errors(world: &DocumentWorld<'_>, errors: &[SourceDiagnostic]) -> String {
    let mut out = Vec::new();
    for error in errors.iter().filter(|e| e.severity == Severity::Error) {
        let mut line = format!("lỗi Typst: {}", error.message);
        if let Some(range) = world.range(error.span)
            && let Some(id) = error.span.id()
            && let Ok(source) = world.source(id)
            && let Some(number) = source.lines().byte_to_line(range.start)
        {
            let text = source.text().lines().nth(number).unwrap_or("").trim();
            line.push_str(&format!(
                "\n  tại {:?} dòng {}: {}",
                id.vpath(),
                number + 1,
                text
            ));
        }
        for hint in &error.hints {
            line.push_str(&format!("\n  gợi ý: {}", hint.v));
        }
        out.push(line);
    }
    out.join("\n")
}
