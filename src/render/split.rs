//! Splitting one compiled PDF into one file per page.
//!
//! Most of a one-page certificate's cost is the PDF export subsetting the
//! fonts again for every file. tdkt instead compiles certificates in
//! batches, one page each, exports the batch once, and copies each page with
//! the objects it uses (content, fonts, images) into a file of its own. The
//! fonts are subset once per batch and shared by reference.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Attributes a page may inherit from its page-tree parents.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// One PDF per page of `pdf`, in page order.
pub fn split_pages(pdf: &[u8]) -> Result<Vec<Vec<u8>>> {
    let source = Document::load_mem(pdf).context("PDF trung gian không đọc lại được")?;
    let info = source
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| o.as_reference().ok());
    source
        .get_pages()
        .values()
        .map(|&page| extract_page(&source, page, info))
        .collect()
}

fn extract_page(source: &Document, page_id: ObjectId, info: Option<ObjectId>) -> Result<Vec<u8>> {
    let mut out = Document::with_version(source.version.clone());
    let mut copied: BTreeMap<ObjectId, ObjectId> = BTreeMap::new();
    let pages_id = out.new_object_id();

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
    page.remove(b"StructParents");
    let page = copy_object(source, &mut out, &mut copied, Object::Dictionary(page))?;
    let new_page_id = out.add_object(page);
    if let Ok(Object::Dictionary(dict)) = out.get_object_mut(new_page_id) {
        dict.set("Parent", Object::Reference(pages_id));
    }

    let mut pages = Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", Object::Array(vec![Object::Reference(new_page_id)]));
    pages.set("Count", Object::Integer(1));
    out.objects.insert(pages_id, Object::Dictionary(pages));

    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = out.add_object(catalog);
    out.trailer.set("Root", Object::Reference(catalog_id));
    if let Some(info) = info {
        let info = copy_reference(source, &mut out, &mut copied, info)?;
        out.trailer.set("Info", Object::Reference(info));
    }

    let mut bytes = Vec::new();
    out.save_to(&mut bytes).context("không ghi được PDF")?;
    Ok(bytes)
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
