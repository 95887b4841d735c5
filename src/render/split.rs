//! Splitting one compiled PDF into one file per page.
//!
//! Most of a one-page certificate's cost is the PDF export subsetting the
//! fonts again for every file. tdkt instead compiles certificates in
//! batches, one page each, exports the batch once, and writes each page with
//! the objects it uses (content, fonts, images) into a file of its own
//! ([`PageFiles`]): every object is serialized once per batch, so a file is
//! a copy of bytes, not a copy of objects. The fonts are subset once per
//! batch. The combined print file is the batches merged, so no certificate
//! is laid out twice.

use std::io::Write;

use anyhow::{Context, Result};
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Attributes a page may inherit from its page-tree parents.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// The header's second line: bytes above 127 tell a reader the file is binary.
const BINARY_COMMENT: &[u8] = b"%\xBB\xAD\xC0\xDE\n";

/// One PDF per page of `pdf`, in page order (see [`PageFiles`]).
pub fn split_pages(pdf: &[u8]) -> Result<Vec<Vec<u8>>> {
    let source = load(pdf)?;
    let files = PageFiles::new(&source)?;
    Ok((0..files.len()).map(|page| files.file(page)).collect())
}

/// One PDF holding every page of `pdfs`, in order (see [`Joiner`]).
pub fn merge_documents(pdfs: &[Vec<u8>]) -> Result<Vec<u8>> {
    anyhow::ensure!(!pdfs.is_empty(), "không có trang nào để ghép");
    let mut joiner = Joiner::new(Vec::new())?;
    for pdf in pdfs {
        joiner.add(pdf)?;
    }
    joiner.finish()
}

/// A PDF written straight to `W` from the pages of other PDFs, one part at
/// a time: only the part being copied is in memory, whatever the length of
/// the whole. Each part keeps its own (subset) fonts, copied once per part.
/// Colour profile, XMP metadata, language, information and ID come from
/// the first part.
pub struct Joiner<W: Write> {
    out: Counting<W>,
    /// Byte offset of each object, by object number less one.
    offsets: Vec<u64>,
    /// The page tree's object, written last, numbered first.
    pages_id: ObjectId,
    kids: Vec<Object>,
    /// The catalog's entries and the trailer's, from the first part.
    catalog: Dictionary,
    trailer: Dictionary,
}

impl<W: Write> Joiner<W> {
    pub fn new(writer: W) -> Result<Self> {
        let mut out = Counting {
            inner: writer,
            written: 0,
        };
        out.write_all(b"%PDF-1.7\n")?;
        out.write_all(BINARY_COMMENT)?;
        Ok(Joiner {
            out,
            offsets: Vec::new(),
            pages_id: (1, 0),
            kids: Vec::new(),
            catalog: Dictionary::new(),
            trailer: Dictionary::new(),
        })
    }

    /// Copies the pages of `pdf` to the end.
    pub fn add(&mut self, pdf: &[u8]) -> Result<()> {
        let source = load(pdf)?;
        // Numbers continue after what is written; 1 is the page tree.
        let mut numbering = Numbering::starting_at(self.offsets.len().max(1) as u32 + 1);
        let mut reached = Vec::new();
        for page_id in source.get_pages().into_values() {
            let number = numbering.add_page(&source, page_id, &mut reached)?;
            self.kids.push(Object::Reference((number, 0)));
        }
        if self.offsets.is_empty() {
            (self.catalog, self.trailer) = numbering.document_level(&source, &mut reached)?;
        }
        for numbered in numbering.objects(&source, self.pages_id) {
            let (number, object) = numbered?;
            self.write_object(number, &object)?;
        }
        Ok(())
    }

    fn write_object(&mut self, id: u32, object: &Object) -> Result<()> {
        let index = id as usize - 1;
        if self.offsets.len() <= index {
            self.offsets.resize(index + 1, 0);
        }
        self.offsets[index] = self.out.written;
        write_indirect(&mut self.out, id, object)
    }

    /// Writes the page tree, the catalog and the cross-reference table;
    /// returns the writer.
    pub fn finish(mut self) -> Result<W> {
        anyhow::ensure!(!self.kids.is_empty(), "không có trang nào để ghép");
        let mut pages = Dictionary::new();
        pages.set("Type", Object::Name(b"Pages".to_vec()));
        pages.set("Count", Object::Integer(self.kids.len() as i64));
        pages.set("Kids", Object::Array(std::mem::take(&mut self.kids)));
        self.write_object(self.pages_id.0, &Object::Dictionary(pages))?;

        let mut catalog = std::mem::take(&mut self.catalog);
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(self.pages_id));
        let catalog_id = self.offsets.len() as u32 + 1;
        self.write_object(catalog_id, &Object::Dictionary(catalog))?;

        let start = self.out.written;
        let count = self.offsets.len() + 1;
        write!(self.out, "xref\n0 {count}\n0000000000 65535 f \n")?;
        for offset in &self.offsets {
            writeln!(self.out, "{offset:010} 00000 n ")?;
        }
        let mut trailer = std::mem::take(&mut self.trailer);
        trailer.set("Size", Object::Integer(count as i64));
        trailer.set("Root", Object::Reference((catalog_id, 0)));
        self.out.write_all(b"trailer\n")?;
        lopdf::Writer::write_object(&mut self.out, &Object::Dictionary(trailer))?;
        write!(self.out, "\nstartxref\n{start}\n%%EOF\n")?;
        self.out.flush()?;
        Ok(self.out.inner)
    }
}

/// A writer that counts the bytes written, for the cross-reference table.
struct Counting<W: Write> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn load(pdf: &[u8]) -> Result<Document> {
    Document::load_mem(pdf).context("PDF trung gian không đọc lại được")
}

/// The pages of one PDF, each to be written as a file of its own.
///
/// A batch's pages share most of their bytes: the subset fonts, the colour
/// profiles, the metadata. Every object is therefore numbered once for the
/// whole batch and written out once; a page's file is the bytes of the
/// objects it reaches, copied, with a cross-reference table listing the
/// numbers it holds in ranges. Nothing is parsed or compressed per file.
pub struct PageFiles {
    version: String,
    /// Each numbered object as written in a file ("N 0 obj … endobj"), by
    /// number less one; the page tree (number 1) is written per file.
    objects: Vec<Vec<u8>>,
    /// The numbers every file holds: the catalog and what it and the
    /// document information reach.
    common: Vec<u32>,
    /// Each page's number and the numbers it reaches (itself included).
    pages: Vec<(u32, Vec<u32>)>,
    /// The trailer's entries apart from the size.
    trailer: Dictionary,
}

/// The page tree's number in every file; the catalog's is next.
const PAGES_NUMBER: u32 = 1;
const CATALOG_NUMBER: u32 = 2;

impl PageFiles {
    pub fn new(source: &Document) -> Result<Self> {
        let mut numbering = Numbering::starting_at(CATALOG_NUMBER + 1);
        let mut common = vec![CATALOG_NUMBER];
        let (mut catalog, mut trailer) = numbering.document_level(source, &mut common)?;
        common.sort_unstable();
        common.dedup();
        let mut pages = Vec::new();
        for page_id in source.get_pages().into_values() {
            let mut reached = Vec::new();
            let number = numbering.add_page(source, page_id, &mut reached)?;
            reached.sort_unstable();
            reached.dedup();
            pages.push((number, reached));
        }
        trailer.set("Root", Object::Reference((CATALOG_NUMBER, 0)));
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference((PAGES_NUMBER, 0)));
        let mut objects = vec![Vec::new(); numbering.order.len() + 2];
        objects[CATALOG_NUMBER as usize - 1] =
            serialized(CATALOG_NUMBER, &Object::Dictionary(catalog))?;
        for numbered in numbering.objects(source, (PAGES_NUMBER, 0)) {
            let (number, object) = numbered?;
            objects[number as usize - 1] = serialized(number, &object)?;
        }
        Ok(PageFiles {
            version: source.version.clone(),
            objects,
            common,
            pages,
            trailer,
        })
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// The file of page `index` (from 0).
    pub fn file(&self, index: usize) -> Vec<u8> {
        let (page, reached) = &self.pages[index];
        let mut numbers: Vec<u32> = [PAGES_NUMBER]
            .iter()
            .chain(&self.common)
            .chain(reached)
            .copied()
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        let size: usize = numbers
            .iter()
            .map(|&n| self.objects[n as usize - 1].len())
            .sum();
        let mut out = Vec::with_capacity(size + 40 * numbers.len() + 512);
        let _ = writeln!(out, "%PDF-{}", self.version);
        out.extend_from_slice(BINARY_COMMENT);
        let mut offsets = Vec::with_capacity(numbers.len());
        for &number in &numbers {
            offsets.push(out.len());
            if number == PAGES_NUMBER {
                let _ = write!(
                    out,
                    "{PAGES_NUMBER} 0 obj\n<</Type/Pages/Count 1/Kids[{page} 0 R]>>\nendobj\n"
                );
            } else {
                out.extend_from_slice(&self.objects[number as usize - 1]);
            }
        }
        let start = out.len();
        write_xref(&mut out, &numbers, &offsets);
        let mut trailer = self.trailer.clone();
        let last = numbers.last().copied().unwrap_or(0);
        trailer.set("Size", Object::Integer(i64::from(last) + 1));
        out.extend_from_slice(b"trailer\n");
        // Writing to memory cannot fail.
        let _ = lopdf::Writer::write_object(&mut out, &Object::Dictionary(trailer));
        let _ = write!(out, "\nstartxref\n{start}\n%%EOF\n");
        out
    }
}

/// A cross-reference table for `numbers` (ascending, from 1) at `offsets`:
/// one subsection per run of consecutive numbers, object 0 free.
fn write_xref(out: &mut Vec<u8>, numbers: &[u32], offsets: &[usize]) {
    out.extend_from_slice(b"xref\n");
    let mut run_start = 0;
    while run_start < numbers.len() {
        let mut run_end = run_start + 1;
        while run_end < numbers.len() && numbers[run_end] == numbers[run_end - 1] + 1 {
            run_end += 1;
        }
        let first = numbers[run_start];
        let with_free = first == 1 && run_start == 0;
        let count = run_end - run_start + usize::from(with_free);
        let _ = writeln!(out, "{} {count}", if with_free { 0 } else { first });
        if with_free {
            out.extend_from_slice(b"0000000000 65535 f \n");
        }
        for offset in &offsets[run_start..run_end] {
            let _ = writeln!(out, "{offset:010} 00000 n ");
        }
        run_start = run_end;
    }
}

/// New numbers for a source's objects, from `first` on in the order first
/// reached: what a page (or the document) references, however deep, is
/// numbered, and [`Numbering::objects`] gives them renumbered.
struct Numbering {
    first: u32,
    numbers: std::collections::HashMap<ObjectId, u32>,
    order: Vec<ObjectId>,
    pages: std::collections::HashSet<ObjectId>,
}

impl Numbering {
    fn starting_at(first: u32) -> Self {
        Numbering {
            first,
            numbers: Default::default(),
            order: Vec::new(),
            pages: Default::default(),
        }
    }

    fn number(&mut self, id: ObjectId) -> u32 {
        if let Some(&number) = self.numbers.get(&id) {
            return number;
        }
        let number = self.order.len() as u32 + self.first;
        self.numbers.insert(id, number);
        self.order.push(id);
        number
    }

    /// Numbers a page and what it reaches (added to `reached`, the page
    /// too); returns the page's number.
    fn add_page(
        &mut self,
        source: &Document,
        page_id: ObjectId,
        reached: &mut Vec<u32>,
    ) -> Result<u32> {
        let number = self.number(page_id);
        self.pages.insert(page_id);
        reached.push(number);
        let page = page_dictionary(source, page_id)?;
        self.reach(source, &Object::Dictionary(page), reached)?;
        Ok(number)
    }

    /// The document-level entries, numbered (what they reach is added to
    /// `reached`): the catalog's colour profile, XMP metadata and language
    /// (PDF/A), and the trailer's information and ID.
    fn document_level(
        &mut self,
        source: &Document,
        reached: &mut Vec<u32>,
    ) -> Result<(Dictionary, Dictionary)> {
        let mut catalog = Dictionary::new();
        if let Ok(source_catalog) = source.catalog() {
            for key in [b"OutputIntents".as_slice(), b"Metadata", b"Lang"] {
                if let Ok(value) = source_catalog.get(key) {
                    catalog.set(key.to_vec(), value.clone());
                }
            }
        }
        let mut trailer = Dictionary::new();
        for key in [b"Info".as_slice(), b"ID"] {
            if let Ok(value) = source.trailer.get(key) {
                trailer.set(key.to_vec(), value.clone());
            }
        }
        for (_, value) in catalog.iter().chain(trailer.iter()) {
            self.reach(source, value, reached)?;
        }
        Ok((self.renumber(catalog), self.renumber(trailer)))
    }

    /// Every numbered object, renumbered, in number order; pages get
    /// `parent` for their page tree.
    fn objects<'s>(
        &'s self,
        source: &'s Document,
        parent: ObjectId,
    ) -> impl Iterator<Item = Result<(u32, Object)>> + 's {
        self.order.iter().enumerate().map(move |(index, &id)| {
            let number = index as u32 + self.first;
            let object = if self.pages.contains(&id) {
                let mut page = self.renumber(page_dictionary(source, id)?);
                page.set("Parent", Object::Reference(parent));
                Object::Dictionary(page)
            } else {
                self.renumber_object(object(source, id)?.clone())
            };
            Ok((number, object))
        })
    }

    /// Numbers every object `value` references, directly or not, and adds
    /// them to `reached`.
    fn reach(&mut self, source: &Document, value: &Object, reached: &mut Vec<u32>) -> Result<()> {
        let mut stack = vec![value];
        let mut seen = std::collections::HashSet::new();
        while let Some(value) = stack.pop() {
            match value {
                Object::Reference(id) if seen.insert(*id) => {
                    reached.push(self.number(*id));
                    stack.push(object(source, *id)?);
                }
                Object::Array(items) => stack.extend(items.iter().rev()),
                Object::Dictionary(dict) => stack.extend(kept_values(dict)),
                Object::Stream(stream) => stack.extend(kept_values(&stream.dict)),
                _ => {}
            }
        }
        Ok(())
    }

    /// `object` with its references renumbered and the entries a split
    /// drops left out.
    fn renumber_object(&self, object: Object) -> Object {
        match object {
            Object::Reference(id) => {
                Object::Reference((self.numbers.get(&id).copied().unwrap_or(0), 0))
            }
            Object::Array(items) => Object::Array(
                items
                    .into_iter()
                    .map(|item| self.renumber_object(item))
                    .collect(),
            ),
            Object::Dictionary(dict) => Object::Dictionary(self.renumber(dict)),
            Object::Stream(mut stream) => {
                stream.dict = self.renumber(stream.dict);
                Object::Stream(stream)
            }
            other => other,
        }
    }

    fn renumber(&self, dict: Dictionary) -> Dictionary {
        let mut result = Dictionary::new();
        for (key, value) in dict.into_iter() {
            if !dropped(&key) {
                result.set(key, self.renumber_object(value));
            }
        }
        result
    }
}

/// A page's own dictionary with what it inherits from the page tree.
fn page_dictionary(source: &Document, page_id: ObjectId) -> Result<Dictionary> {
    let mut page = source
        .get_dictionary(page_id)
        .context("trang PDF hỏng")?
        .clone();
    for key in INHERITED {
        if !page.has(key)
            && let Some(value) = inherited(source, &page, key)
        {
            page.set(key.to_vec(), value);
        }
    }
    page.remove(b"Parent");
    Ok(page)
}

fn object(source: &Document, id: ObjectId) -> Result<&Object> {
    source
        .get_object(id)
        .with_context(|| format!("PDF thiếu đối tượng {id:?}"))
}

/// A page's parent is rebuilt; struct tree links do not survive a split.
fn dropped(key: &[u8]) -> bool {
    key == b"Parent" || key == b"StructParent" || key == b"StructParents"
}

fn kept_values(dict: &Dictionary) -> impl Iterator<Item = &Object> {
    dict.iter()
        .filter(|(key, _)| !dropped(key))
        .map(|(_, value)| value)
}

/// `object` as it is written in a file under `number`.
fn serialized(number: u32, object: &Object) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_indirect(&mut out, number, object)?;
    Ok(out)
}

/// Writes "N 0 obj … endobj" for `object`.
fn write_indirect(out: &mut dyn Write, number: u32, object: &Object) -> Result<()> {
    let open = if lopdf::Writer::need_separator(object) {
        " "
    } else {
        ""
    };
    write!(out, "{number} 0 obj\n{open}")?;
    lopdf::Writer::write_object(out, object)?;
    let close = if lopdf::Writer::need_end_separator(object) {
        " "
    } else {
        ""
    };
    writeln!(out, "{close}\nendobj")?;
    Ok(())
}

fn inherited(source: &Document, page: &Dictionary, key: &[u8]) -> Option<Object> {
    let mut parent = page.get(b"Parent").ok()?.as_reference().ok()?;
    for _ in 0..32 {
        let dict = source.get_dictionary(parent).ok()?;
        if let Ok(value) = dict.get(key) {
            return Some(value.clone());
        }
        parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
    }
    None
}
