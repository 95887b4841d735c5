"""Draws the DỰ THẢO draft mark as SVG paths (not text), from Liberation Serif
Bold, so that the mark never enters a PDF's text layer. Run once; the output
templates/du-thao.svg is committed and embedded in tdkt."""
from fontTools.ttLib import TTFont
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen

TEXT = "DỰ THẢO"
font = TTFont("fonts/LiberationSerif-Bold.ttf")
glyphs = font.getGlyphSet()
cmap = font.getBestCmap()
upm = font["head"].unitsPerEm
ascent = font["hhea"].ascent
x = 0
paths = []
import unicodedata
for ch in unicodedata.normalize("NFC", TEXT):
    name = cmap[ord(ch)]
    pen = SVGPathPen(glyphs)
    glyphs[name].draw(TransformPen(pen, (1, 0, 0, -1, x, ascent)))
    d = pen.getCommands()
    if d:
        paths.append(d)
    x += glyphs[name].width
height = ascent - font["hhea"].descent
svg = (
    f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {x} {height}' width='{x}' height='{height}'>"
    f"<path fill='#e2e2e2' d='{' '.join(paths)}'/></svg>\n"
)
open("templates/du-thao.svg", "w").write(svg)
print(len(svg), "bytes")
