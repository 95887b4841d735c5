//! Splitting one compiled PDF into one file per page.
//!
//! Most of a one-page certificate's cost is the PDF export subsetting the
//! fonts again for every file. tdkt instead compiles certificates in
//! batches, one page each, exports the batch once, and copies each page with
//! the objects it uses (content, fonts, images) into a file of its own. The
//! fonts are subset once per batch and shared by reference. The combined
//! print file is the batches merged, so no certificate is laid out twice.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Context, Result};
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Attributes a page may inherit from its page-tree parents.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// One PDF per page of `pdf`, in page order.
pub fn split_pages(pdf: &[u8]) -> Result<Vec<Vec<u8>>> {
    let source = load(pdf)?;
    let pages: Vec<ObjectId> = source.get_pages().values().copied().collect();
    pages
        .into_iter()
        .map(|page| {
            let mut assembly = Assembly::new(&source);
            assembly.add_pages(&source, &[page])?;
            assembly.finish(&source)
        })
        .collect()
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
        out.write_all(b"%PDF-1.7\n%\xBB\xAD\xC0\xDE\n")?;
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
        let mut out = Document::with_version("1.7");
        // Numbers continue after what is written; 1 is the page tree.
        out.max_id = (self.offsets.len() as u32).max(1);
        let mut copied = BTreeMap::new();
        let ids: Vec<ObjectId> = source.get_pages().values().copied().collect();
        for page in ids {
            let id = copy_page(&source, &mut out, &mut copied, page, self.pages_id)?;
            self.kids.push(Object::Reference(id));
        }
        if self.offsets.is_empty() {
            self.take_document_information(&source, &mut out)?;
        }
        self.write_objects(out)
    }

    /// The document-level entries of the first part, copied into `out`.
    fn take_document_information(&mut self, source: &Document, out: &mut Document) -> Result<()> {
        if let Ok(source_catalog) = source.catalog() {
            for key in [b"OutputIntents".as_slice(), b"Metadata", b"Lang"] {
                if let Ok(value) = source_catalog.get(key) {
                    let value = copy_object(source, out, &mut BTreeMap::new(), value.clone())?;
                    self.catalog.set(key.to_vec(), value);
                }
            }
        }
        if let Ok(id) = source.trailer.get(b"ID") {
            self.trailer.set("ID", id.clone());
        }
        if let Some(info) = source
            .trailer
            .get(b"Info")
            .ok()
            .and_then(|o| o.as_reference().ok())
        {
            let info = copy_reference(source, out, &mut BTreeMap::new(), info)?;
            self.trailer.set("Info", Object::Reference(info));
        }
        Ok(())
    }

    /// Writes the objects of `out`, numbered from the next free number.
    fn write_objects(&mut self, out: Document) -> Result<()> {
        for ((id, _), object) in out.objects {
            self.write_object(id, &object)?;
        }
        Ok(())
    }

    fn write_object(&mut self, id: u32, object: &Object) -> Result<()> {
        let index = id as usize - 1;
        if self.offsets.len() <= index {
            self.offsets.resize(index + 1, 0);
        }
        self.offsets[index] = self.out.written;
        let open = if lopdf::Writer::need_separator(object) {
            " "
        } else {
            ""
        };
        write!(self.out, "{id} 0 obj\n{open}")?;
        lopdf::Writer::write_object(&mut self.out, object)?;
        let close = if lopdf::Writer::need_end_separator(object) {
            " "
        } else {
            ""
        };
        writeln!(self.out, "{close}\nendobj")?;
        Ok(())
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

/// A new PDF being made from pages of other PDFs.
struct Assembly {
    out: Document,
    pages_id: ObjectId,
    kids: Vec<Object>,
}

impl Assembly {
    fn new(like: &Document) -> Self {
        let mut out = Document::with_version(like.version.clone());
        let pages_id = out.new_object_id();
        Assembly {
            out,
            pages_id,
            kids: Vec::new(),
        }
    }

    /// Copies `pages` of `source`; what they share (fonts) is copied once.
    fn add_pages(&mut self, source: &Document, pages: &[ObjectId]) -> Result<()> {
        let mut copied: BTreeMap<ObjectId, ObjectId> = BTreeMap::new();
        for &page in pages {
            let id = copy_page(source, &mut self.out, &mut copied, page, self.pages_id)?;
            self.kids.push(Object::Reference(id));
        }
        Ok(())
    }

    /// The finished PDF; document information is taken from `info_from`.
    fn finish(mut self, info_from: &Document) -> Result<Vec<u8>> {
        let mut pages = Dictionary::new();
        pages.set("Type", Object::Name(b"Pages".to_vec()));
        pages.set("Count", Object::Integer(self.kids.len() as i64));
        pages.set("Kids", Object::Array(self.kids));
        self.out
            .objects
            .insert(self.pages_id, Object::Dictionary(pages));

        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(self.pages_id));
        // PDF/A: the colour profile and the XMP metadata that declare it.
        if let Ok(source_catalog) = info_from.catalog() {
            for key in [b"OutputIntents".as_slice(), b"Metadata", b"Lang"] {
                if let Ok(value) = source_catalog.get(key) {
                    let value = copy_object(
                        info_from,
                        &mut self.out,
                        &mut BTreeMap::new(),
                        value.clone(),
                    )?;
                    catalog.set(key.to_vec(), value);
                }
            }
        }
        if let Ok(id) = info_from.trailer.get(b"ID") {
            self.out.trailer.set("ID", id.clone());
        }
        let catalog_id = self.out.add_object(catalog);
        self.out.trailer.set("Root", Object::Reference(catalog_id));
        if let Some(info) = info_from
            .trailer
            .get(b"Info")
            .ok()
            .and_then(|o| o.as_reference().ok())
        {
            let info = copy_reference(info_from, &mut self.out, &mut BTreeMap::new(), info)?;
            self.out.trailer.set("Info", Object::Reference(info));
        }
        let mut bytes = Vec::new();
        self.out.save_to(&mut bytes).context("không ghi được PDF")?;
        Ok(bytes)
    }
}

/// Copies one page, with what it inherits and references, under `parent`.
fn copy_page(
    source: &Document,
    out: &mut Document,
    copied: &mut BTreeMap<ObjectId, ObjectId>,
    page_id: ObjectId,
    parent: ObjectId,
) -> Result<ObjectId> {
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
    let Object::Dictionary(mut page) = copy_object(source, out, copied, Object::Dictionary(page))?
    else {
        anyhow::bail!("trang PDF hỏng");
    };
    page.set("Parent", Object::Reference(parent));
    Ok(out.add_object(page))
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

/// Copies `object`, and everything it references, into `out`.
fn copy_object(
    source: &Document,
    out: &mut Document,
    copied: &mut BTreeMap<ObjectId, ObjectId>,
    object: Object,
) -> Result<Object> {
    Ok(match object {
        Object::Reference(id) => Object::Reference(copy_reference(source, out, copied, id)?),
        Object::Array(items) => Object::Array(
            items
                .into_iter()
                .map(|o| copy_object(source, out, copied, o))
                .collect::<Result<_>>()?,
        ),
        Object::Dictionary(dict) => Object::Dictionary(copy_dictionary(source, out, copied, dict)?),
        Object::Stream(mut stream) => {
            stream.dict = copy_dictionary(source, out, copied, stream.dict)?;
            Object::Stream(stream)
        }
        other => other,
    })
}

fn copy_dictionary(
    source: &Document,
    out: &mut Document,
    copied: &mut BTreeMap<ObjectId, ObjectId>,
    dict: Dictionary,
) -> Result<Dictionary> {
    let mut result = Dictionary::new();
    for (key, value) in dict.into_iter() {
        // A page's parent is rebuilt; struct tree links do not survive a split.
        if key == b"Parent" || key == b"StructParent" || key == b"StructParents" {
            continue;
        }
        result.set(key, copy_object(source, out, copied, value)?);
    }
    Ok(result)
}

fn copy_reference(
    source: &Document,
    out: &mut Document,
    copied: &mut BTreeMap<ObjectId, ObjectId>,
    id: ObjectId,
) -> Result<ObjectId> {
    if let Some(new_id) = copied.get(&id) {
        return Ok(*new_id);
    }
    let new_id = out.new_object_id();
    copied.insert(id, new_id);
    let object = source
        .get_object(id)
        .with_context(|| format!("PDF thiếu đối tượng {id:?}"))?
        .clone();
    let object = copy_object(source, out, copied, object)?;
    out.objects.insert(new_id, object);
    Ok(new_id)
}
