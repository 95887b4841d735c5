//! TrueType hinting taken out of a font before documents embed it.
//!
//! Hinting is bytecode that snaps outlines to a screen's pixel grid at small
//! sizes; printers and PDF viewers at reading size do without it, and it is
//! about half of what each certificate file carries of its four fonts (every
//! file embeds its own subsets). The outlines, metrics and layout tables are
//! kept byte for byte, so text is laid out and drawn exactly as before.
//!
//! Done when a document is made, as subsetting is, on tdkt's own copy of the
//! font in memory: the font files shipped (fonts/) are the originals.

/// Tables that hold or serve the hinting programs, and a signature the
/// change would break.
const DROPPED_TABLES: [&[u8; 4]; 7] = [
    b"fpgm", b"prep", b"cvt ", b"hdmx", b"LTSH", b"VDMX", b"DSIG",
];

/// Flags of a composite glyph's component (OpenType `glyf`).
const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
const WE_HAVE_A_SCALE: u16 = 0x0008;
const MORE_COMPONENTS: u16 = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;
const WE_HAVE_INSTRUCTIONS: u16 = 0x0100;

/// `font` (a TrueType file with `glyf` outlines) without its hinting, or
/// `None` when it is anything else or does not read as expected (the caller
/// then keeps the font as it is).
pub fn strip(font: &[u8]) -> Option<Vec<u8>> {
    let tables = table_records(font)?;
    let find = |tag: &[u8; 4]| tables.iter().find(|t| &t.tag == tag);
    let head = find(b"head")?.data(font)?;
    let long_offsets = match read_u16(head, 50)? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let glyph_count = usize::from(read_u16(find(b"maxp")?.data(font)?, 4)?);
    let offsets = glyph_offsets(find(b"loca")?.data(font)?, glyph_count, long_offsets)?;
    let glyf = find(b"glyf")?.data(font)?;

    let mut new_glyf = Vec::with_capacity(glyf.len());
    let mut new_offsets = Vec::with_capacity(offsets.len());
    for pair in offsets.windows(2) {
        new_offsets.push(new_glyf.len());
        let glyph = glyf.get(pair[0]..pair[1])?;
        if !glyph.is_empty() {
            without_instructions(glyph, &mut new_glyf)?;
            new_glyf.resize(new_glyf.len().next_multiple_of(4), 0);
        }
    }
    new_offsets.push(new_glyf.len());
    if !long_offsets && new_glyf.len() > 2 * usize::from(u16::MAX) {
        return None;
    }

    let mut out_tables: Vec<(&[u8; 4], Vec<u8>)> = Vec::with_capacity(tables.len());
    for table in &tables {
        if DROPPED_TABLES.contains(&&table.tag) {
            continue;
        }
        let data = match &table.tag {
            b"glyf" => std::mem::take(&mut new_glyf),
            b"loca" => loca(&new_offsets, long_offsets),
            b"maxp" => {
                let mut maxp = table.data(font)?.to_vec();
                // maxSizeOfInstructions (version 1.0 only).
                if maxp.len() >= 28 && read_u32(&maxp, 0)? == 0x0001_0000 {
                    maxp[26..28].copy_from_slice(&[0, 0]);
                }
                maxp
            }
            b"head" => {
                let mut head = head.to_vec();
                head[8..12].copy_from_slice(&[0; 4]);
                head
            }
            _ => table.data(font)?.to_vec(),
        };
        out_tables.push((&table.tag, data));
    }
    Some(assemble(read_u32(font, 0)?, &out_tables))
}

/// One entry of the font's table directory.
struct TableRecord {
    tag: [u8; 4],
    offset: usize,
    length: usize,
}

impl TableRecord {
    fn data<'a>(&self, font: &'a [u8]) -> Option<&'a [u8]> {
        font.get(self.offset..self.offset.checked_add(self.length)?)
    }
}

fn table_records(font: &[u8]) -> Option<Vec<TableRecord>> {
    // A TrueType outline font; OpenType with CFF and collections are left be.
    if !matches!(read_u32(font, 0)?, 0x0001_0000 | 0x7472_7565) {
        return None;
    }
    let count = usize::from(read_u16(font, 4)?);
    (0..count)
        .map(|i| {
            let at = 12 + 16 * i;
            Some(TableRecord {
                tag: font.get(at..at + 4)?.try_into().ok()?,
                offset: read_u32(font, at + 8)? as usize,
                length: read_u32(font, at + 12)? as usize,
            })
        })
        .collect()
}

/// `loca`: where each glyph begins in `glyf`, and where the last ends.
fn glyph_offsets(loca: &[u8], glyph_count: usize, long: bool) -> Option<Vec<usize>> {
    (0..=glyph_count)
        .map(|i| {
            if long {
                read_u32(loca, 4 * i).map(|o| o as usize)
            } else {
                read_u16(loca, 2 * i).map(|o| 2 * usize::from(o))
            }
        })
        .collect::<Option<Vec<usize>>>()
        .filter(|offsets| offsets.windows(2).all(|w| w[0] <= w[1]))
}

fn loca(offsets: &[usize], long: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(offsets.len() * if long { 4 } else { 2 });
    for &offset in offsets {
        if long {
            out.extend_from_slice(&(offset as u32).to_be_bytes());
        } else {
            out.extend_from_slice(&((offset / 2) as u16).to_be_bytes());
        }
    }
    out
}

/// Appends `glyph` to `out` without its instructions.
fn without_instructions(glyph: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let contours = read_u16(glyph, 0)? as i16;
    if contours >= 0 {
        // Header, endPtsOfContours, then instructionLength and instructions.
        let at = 10 + 2 * contours as usize;
        let length = usize::from(read_u16(glyph, at)?);
        let points = match contours {
            0 => 0,
            _ => usize::from(read_u16(glyph, at - 2)?) + 1,
        };
        let start = at + 2 + length;
        let end = start + points_size(glyph.get(start..)?, points)?;
        out.extend_from_slice(glyph.get(..at)?);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(glyph.get(start..end)?);
        return Some(());
    }
    out.extend_from_slice(glyph.get(..10)?);
    let mut at = 10;
    loop {
        let flags = read_u16(glyph, at)?;
        let mut size = 4 + if flags & ARG_1_AND_2_ARE_WORDS != 0 {
            4
        } else {
            2
        };
        if flags & WE_HAVE_A_SCALE != 0 {
            size += 2;
        } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
            size += 4;
        } else if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
            size += 8;
        }
        let component = glyph.get(at..at + size)?;
        out.extend_from_slice(&(flags & !WE_HAVE_INSTRUCTIONS).to_be_bytes());
        out.extend_from_slice(&component[2..]);
        at += size;
        if flags & MORE_COMPONENTS == 0 {
            return Some(());
        }
    }
}

/// The bytes a simple glyph's flags and coordinates of `points` take
/// (what follows them in `glyf` is padding).
fn points_size(data: &[u8], points: usize) -> Option<usize> {
    const X_SHORT: u8 = 0x02;
    const Y_SHORT: u8 = 0x04;
    const REPEAT: u8 = 0x08;
    const X_SAME_OR_POSITIVE: u8 = 0x10;
    const Y_SAME_OR_POSITIVE: u8 = 0x20;
    let coordinate = |flags: u8, short: u8, same: u8| match (flags & short != 0, flags & same != 0)
    {
        (true, _) => 1,
        (false, true) => 0,
        (false, false) => 2,
    };
    let (mut at, mut seen, mut coordinates) = (0, 0, 0);
    while seen < points {
        let flags = *data.get(at)?;
        at += 1;
        let mut times = 1;
        if flags & REPEAT != 0 {
            times += usize::from(*data.get(at)?);
            at += 1;
        }
        seen += times;
        coordinates += times
            * (coordinate(flags, X_SHORT, X_SAME_OR_POSITIVE)
                + coordinate(flags, Y_SHORT, Y_SAME_OR_POSITIVE));
    }
    let size = at + coordinates;
    (seen == points && size <= data.len()).then_some(size)
}

/// A font file of `tables` (in the directory's order, which is by tag),
/// with checksums and `head.checkSumAdjustment` filled in.
fn assemble(version: u32, tables: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let count = tables.len() as u16;
    let entry_selector = 15 - count.max(1).leading_zeros() as u16;
    let search_range = 16u16 << entry_selector;
    let mut out = Vec::new();
    out.extend_from_slice(&version.to_be_bytes());
    for value in [
        count,
        search_range,
        entry_selector,
        (16 * count).saturating_sub(search_range),
    ] {
        out.extend_from_slice(&value.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    for (tag, data) in tables {
        out.extend_from_slice(*tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    let mut head_at = None;
    for (tag, data) in tables {
        if *tag == b"head" {
            head_at = Some(out.len());
        }
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// The sum of the big-endian 32-bit words of `data`, zero-padded.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

fn read_u16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustybuzz::ttf_parser::{Face, GlyphId, OutlineBuilder, Tag};

    const FONTS: [&[u8]; 4] = [
        include_bytes!("../../fonts/LiberationSerif-Regular.ttf"),
        include_bytes!("../../fonts/LiberationSerif-Bold.ttf"),
        include_bytes!("../../fonts/LiberationSerif-Italic.ttf"),
        include_bytes!("../../fonts/LiberationSerif-BoldItalic.ttf"),
    ];

    /// A glyph's outline as the commands that draw it.
    #[derive(Default, PartialEq, Debug)]
    struct Drawing(Vec<(char, [f32; 6])>);

    impl OutlineBuilder for Drawing {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0.push(('M', [x, y, 0.0, 0.0, 0.0, 0.0]));
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0.push(('L', [x, y, 0.0, 0.0, 0.0, 0.0]));
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            self.0.push(('Q', [x1, y1, x, y, 0.0, 0.0]));
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            self.0.push(('C', [x1, y1, x2, y2, x, y]));
        }
        fn close(&mut self) {
            self.0.push(('Z', [0.0; 6]));
        }
    }

    fn drawing(face: &Face, glyph: GlyphId) -> (Drawing, Option<rustybuzz::ttf_parser::Rect>) {
        let mut drawing = Drawing::default();
        let bbox = face.outline_glyph(glyph, &mut drawing);
        (drawing, bbox)
    }

    #[test]
    fn every_glyph_is_drawn_and_spaced_as_before_without_the_hinting() {
        for font in FONTS {
            let stripped = strip(font).expect("Liberation Serif is TrueType");
            assert!(
                stripped.len() * 10 < font.len() * 8,
                "hinting is a fifth of the font or more: {} of {} bytes left",
                stripped.len(),
                font.len()
            );
            assert_eq!(
                checksum(&stripped),
                0xB1B0_AFBA,
                "the whole font's checksum"
            );
            let (before, after) = (
                Face::parse(font, 0).unwrap(),
                Face::parse(&stripped, 0).unwrap(),
            );
            for tag in [b"fpgm", b"prep", b"cvt "] {
                assert!(before.raw_face().table(Tag::from_bytes(tag)).is_some());
                assert!(after.raw_face().table(Tag::from_bytes(tag)).is_none());
            }
            assert_eq!(before.number_of_glyphs(), after.number_of_glyphs());
            let mut drawn = 0;
            for id in 0..before.number_of_glyphs() {
                let glyph = GlyphId(id);
                let (old, new) = (drawing(&before, glyph), drawing(&after, glyph));
                assert_eq!(old, new, "glyph {id}");
                assert_eq!(
                    before.glyph_hor_advance(glyph),
                    after.glyph_hor_advance(glyph)
                );
                drawn += usize::from(!old.0.0.is_empty());
            }
            assert!(drawn > 2000, "{drawn} glyphs with outlines");
            // Kerning and the rest of layout read the tables kept as they were.
            for tag in [b"GPOS", b"GSUB", b"kern", b"cmap", b"hmtx", b"name"] {
                let tag = Tag::from_bytes(tag);
                assert_eq!(before.raw_face().table(tag), after.raw_face().table(tag));
            }
        }
    }

    #[test]
    fn a_font_that_does_not_read_as_expected_is_left_as_it_is_never_a_panic() {
        assert!(strip(b"").is_none());
        assert!(strip(b"OTTO\0\0\0\0\0\0\0\0").is_none(), "CFF outlines");
        assert!(strip(b"ttcf\0\x01\0\0\0\0\0\x01").is_none(), "a collection");
        let font = FONTS[0];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let mut bytes = font.to_vec();
            // Mostly in the directory and the tables strip reads.
            for _ in 0..1 + next() % 8 {
                let at = if next() % 2 == 0 {
                    (next() % 400) as usize
                } else {
                    (next() % font.len() as u64) as usize
                };
                bytes[at] = next() as u8;
            }
            bytes.truncate(font.len() - (next() % 3) as usize * (next() % 1000) as usize);
            if let Some(stripped) = strip(&bytes) {
                assert!(stripped.len() < 2 * bytes.len());
            }
        }
    }
}
