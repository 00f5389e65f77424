//! The appendix as a tagged PDF (`appendix.pdf`), drawn with krilla from the same
//! blocks as the HTML, Markdown and Word files.
//!
//! A4 portrait; every page's footer carries the title and date (bottom left) and
//! "Page N of M" (bottom right). Headings, paragraphs, lists, tables (with their
//! header cells and scopes) and the map (a figure whose alternative text is its
//! caption) are tagged, so a screen reader reads the PDF in order; the footer, rules,
//! backgrounds and repeated table headers are artifacts. A table's header row repeats
//! at the top of each page it runs onto, rows never split, and its total row stays with
//! its last row. The map is drawn as vectors (krilla-svg) on one page. Text is set in
//! the bundled Liberation Sans (SIL OFL 1.1, `fonts/OFL.txt`), subset into the file, so
//! the PDF is the same on every machine. No clock is read: the same blocks give the
//! same bytes.

use std::num::NonZeroU16;

use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use krilla_svg::{SurfaceExt, SvgSettings};

use crate::doc::{Align, Block, Table};

/// Liberation Sans Regular 2.1.5 (SIL Open Font License 1.1; see `fonts/OFL.txt`).
pub(crate) static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
/// Liberation Sans Bold 2.1.5 (SIL Open Font License 1.1; see `fonts/OFL.txt`).
pub(crate) static BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 42.5;
const MARGIN_TOP: f32 = 45.0;
const MARGIN_BOTTOM: f32 = 58.0;
/// The text width.
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// The lowest y content may reach.
const BOTTOM: f32 = PAGE_H - MARGIN_BOTTOM;
/// The footer's baseline.
const FOOTER_Y: f32 = PAGE_H - 30.0;

type Rgb = (u8, u8, u8);
const INK: Rgb = (0x1b, 0x1b, 0x1b);
const MUTED: Rgb = (0x55, 0x55, 0x55);
const ACCENT: Rgb = (0x1f, 0x4e, 0x79);
const RULE: Rgb = (0xc8, 0xc8, 0xc8);
const BAND: Rgb = (0xf3, 0xf5, 0xf7);
const WHITE: Rgb = (0xff, 0xff, 0xff);

/// The document's title, date and author, for the footer and the PDF's metadata.
pub(crate) struct PdfMeta<'a> {
    /// The title (metadata; left of the footer).
    pub title: &'a str,
    /// The date printed in the footer, if any.
    pub date: Option<&'a str>,
    /// The author (metadata), if any.
    pub author: Option<&'a str>,
}

/// Text widths from the fonts' advance widths (kerning only ever makes a line shorter).
struct Metrics {
    faces: [ttf_parser::Face<'static>; 2],
}

impl Metrics {
    fn new() -> Result<Metrics, String> {
        let face = |data: &'static [u8]| {
            ttf_parser::Face::parse(data, 0).map_err(|e| format!("the bundled font cannot be read: {e}"))
        };
        Ok(Metrics {
            faces: [face(REGULAR)?, face(BOLD)?],
        })
    }

    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let f = &self.faces[usize::from(bold)];
        let upem = f32::from(f.units_per_em().max(1));
        let units: u32 = text
            .chars()
            .map(|c| {
                let g = f.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                u32::from(f.glyph_hor_advance(g).unwrap_or(0))
            })
            .sum();
        units as f32 * size / upem
    }

    /// Greedy line breaking at spaces; a word wider than the line is cut between characters.
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if self.width(word, size, bold) <= width {
                    line = word.to_string();
                    continue;
                }
                // Cut a long word (a hash, a URL) into pieces that fit.
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    if !line.is_empty() && self.width(&next, size, bold) > width {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = next;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// What is drawn.
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Svg {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        tree: usize,
    },
}

/// How a drawing is marked: real content (a leaf of the structure tree, by its serial
/// number) or an artifact.
enum Mark {
    Content(usize),
    Artifact(ArtifactType),
}

/// A node of the structure tree, built while laying out.
struct LNode {
    tag: Option<TagKind>,
    children: Vec<LChild>,
}

enum LChild {
    Node(usize),
    Content(usize),
}

struct Layout<'m> {
    m: &'m Metrics,
    pages: Vec<Vec<(Op, Mark)>>,
    y: f32,
    nodes: Vec<LNode>,
    serial: usize,
    outline: Vec<(String, usize, f32)>,
    trees: Vec<resvg::usvg::Tree>,
}

const ROOT: usize = 0;

impl<'m> Layout<'m> {
    fn new(m: &'m Metrics) -> Layout<'m> {
        Layout {
            m,
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
            nodes: vec![LNode {
                tag: None,
                children: Vec::new(),
            }],
            serial: 0,
            outline: Vec::new(),
            trees: Vec::new(),
        }
    }

    fn page(&self) -> usize {
        self.pages.len() - 1
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    fn at_top(&self) -> bool {
        self.y <= MARGIN_TOP + 0.01
    }

    /// Starts a new page unless `h` more points fit on this one (or it is empty).
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && !self.at_top() {
            self.new_page();
        }
    }

    fn node(&mut self, parent: usize, tag: impl Into<TagKind>) -> usize {
        self.nodes.push(LNode {
            tag: Some(tag.into()),
            children: Vec::new(),
        });
        let id = self.nodes.len() - 1;
        self.nodes[parent].children.push(LChild::Node(id));
        id
    }

    fn content(&mut self, parent: usize, op: Op) {
        let s = self.serial;
        self.serial += 1;
        self.nodes[parent].children.push(LChild::Content(s));
        if let Some(p) = self.pages.last_mut() {
            p.push((op, Mark::Content(s)));
        }
    }

    fn artifact(&mut self, kind: ArtifactType, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push((op, Mark::Artifact(kind)));
        }
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.artifact(ArtifactType::Layout, Op::Rect { x, y, w, h, color });
    }

    /// Lines of text under `parent`, breaking pages between lines.
    #[allow(clippy::too_many_arguments)]
    fn text_lines(&mut self, parent: usize, text: &str, x: f32, width: f32, size: f32, bold: bool, color: Rgb) {
        let lh = size * 1.3;
        for line in self.m.wrap(text, size, bold, width) {
            self.ensure(lh);
            let y = self.y + size;
            if !line.is_empty() {
                self.content(
                    parent,
                    Op::Text {
                        x,
                        y,
                        size,
                        bold,
                        color,
                        text: line,
                    },
                );
            }
            self.y += lh;
        }
    }

    fn heading(&mut self, level: u8, text: &str) {
        let (size, before, after) = match level {
            1 => (18.0, 0.0, 4.0),
            2 => (13.0, 14.0, 5.0),
            _ => (11.0, 10.0, 3.0),
        };
        let lines = self.m.wrap(text, size, true, TEXT_W).len() as f32;
        // Keep the heading with a few lines of what follows.
        self.ensure(before + lines * size * 1.3 + 48.0);
        if !self.at_top() {
            self.y += before;
        }
        let lvl = NonZeroU16::new(u16::from(level.clamp(1, 6))).unwrap_or(NonZeroU16::MIN);
        let n = self.node(ROOT, Tag::Hn(lvl, Some(text.to_string())));
        if level <= 2 {
            self.outline.push((text.to_string(), self.page(), self.y));
        }
        self.text_lines(
            n,
            text,
            MARGIN_X,
            TEXT_W,
            size,
            true,
            if level <= 2 { ACCENT } else { INK },
        );
        if level <= 2 {
            let (w, y) = (if level == 1 { 2.0 } else { 0.6 }, self.y + 1.0);
            self.rect(MARGIN_X, y, TEXT_W, w, if level == 1 { ACCENT } else { RULE });
            self.y += w + 1.0;
        }
        self.y += after;
    }

    fn para(&mut self, text: &str, size: f32, color: Rgb) {
        let n = self.node(ROOT, Tag::P);
        self.text_lines(n, text, MARGIN_X, TEXT_W, size, false, color);
        self.y += size * 0.5;
    }

    fn list(&mut self, items: &[String]) {
        let size = 9.5;
        let l = self.node(ROOT, Tag::L(ListNumbering::Disc));
        for item in items {
            let li = self.node(l, Tag::LI);
            self.ensure(size * 1.3);
            let lbl = self.node(li, Tag::Lbl);
            let y = self.y + size;
            self.content(
                lbl,
                Op::Text {
                    x: MARGIN_X + 3.0,
                    y,
                    size,
                    bold: false,
                    color: INK,
                    text: "•".into(),
                },
            );
            let body = self.node(li, Tag::LBody);
            self.text_lines(body, item, MARGIN_X + 13.0, TEXT_W - 13.0, size, false, INK);
            self.y += 1.5;
        }
        self.y += 4.0;
    }

    fn map(&mut self, svg: &str, caption: &str) {
        let cap_size = 8.0;
        let cap_h = self.m.wrap(caption, cap_size, false, TEXT_W).len() as f32 * cap_size * 1.3 + 4.0;
        let tree = resvg::usvg::Tree::from_str(svg, &crate::docx::svg_options()).ok();
        let fig = self.node(ROOT, Tag::Figure(Some(caption.to_string())));
        if let Some(tree) = tree {
            let size = tree.size();
            let (sw, sh) = (size.width().max(1.0), size.height().max(1.0));
            // The whole map on one page: as wide as the text, or shorter to fit.
            let max_h = BOTTOM - MARGIN_TOP - cap_h - 4.0;
            let k = (TEXT_W / sw).min(max_h / sh);
            let (w, h) = (sw * k, sh * k);
            self.ensure(h + cap_h + 4.0);
            self.trees.push(tree);
            let t = self.trees.len() - 1;
            let (x, y) = (MARGIN_X + (TEXT_W - w) / 2.0, self.y + 2.0);
            self.content(fig, Op::Svg { x, y, w, h, tree: t });
            self.rect(x, y - 0.5, w, 0.5, RULE);
            self.rect(x, y + h, w, 0.5, RULE);
            self.y += h + 6.0;
        } else {
            self.ensure(cap_h);
        }
        let cap = self.node(fig, Tag::Caption);
        self.text_lines(cap, caption, MARGIN_X, TEXT_W, cap_size, false, MUTED);
        self.y += 6.0;
    }

    fn table(&mut self, t: &Table) {
        let fs = match t.class {
            "wide" => 6.5,
            "mono" => 7.0,
            _ => 7.8,
        };
        let (pad_x, pad_y, lh) = (2.5, 2.2, fs * 1.25);
        let ncol = t
            .header
            .len()
            .max(t.rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(t.total.as_ref().map_or(0, Vec::len));
        if ncol == 0 {
            return;
        }
        let widths = self.column_widths(t, ncol, fs, pad_x);
        let wrap_row = |m: &Metrics, cells: &[String], bold: bool| -> Vec<Vec<String>> {
            (0..ncol)
                .map(|i| {
                    let c = cells.get(i).map_or("", String::as_str);
                    m.wrap(c, fs, bold, widths[i] - 2.0 * pad_x)
                })
                .collect()
        };
        let height =
            |cells: &[Vec<String>]| cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * lh + 2.0 * pad_y;
        let header = wrap_row(self.m, &t.header, true);
        let header_h = height(&header);
        let rows: Vec<Vec<Vec<String>>> = t.rows.iter().map(|r| wrap_row(self.m, r, false)).collect();
        let total = t.total.as_ref().map(|r| wrap_row(self.m, r, true));
        let total_h = total.as_ref().map_or(0.0, |c| height(c));
        let cap_size = 8.5;
        let cap_lines = if t.caption.is_empty() {
            Vec::new()
        } else {
            self.m.wrap(&t.caption, cap_size, true, TEXT_W)
        };
        let cap_h = cap_lines.len() as f32 * cap_size * 1.3 + if cap_lines.is_empty() { 0.0 } else { 2.0 };

        // Caption, header and the first row (and the total, for a one-row table) together.
        let first_h = rows.first().map_or(0.0, |r| height(r)) + if rows.len() <= 1 { total_h } else { 0.0 };
        self.y += 2.0;
        self.ensure(cap_h + header_h + first_h);
        let tbl = self.node(ROOT, Tag::Table);
        if !cap_lines.is_empty() {
            let cap = self.node(tbl, Tag::Caption);
            for line in cap_lines {
                let y = self.y + cap_size;
                self.content(
                    cap,
                    Op::Text {
                        x: MARGIN_X,
                        y,
                        size: cap_size,
                        bold: true,
                        color: INK,
                        text: line,
                    },
                );
                self.y += cap_size * 1.3;
            }
            self.y += 2.0;
        }
        let right: Vec<bool> = (0..ncol).map(|i| t.align.get(i) == Some(&Align::Right)).collect();
        let thead = self.node(tbl, Tag::THead);
        let tr = self.node(thead, Tag::TR);
        self.row(
            Some(tr),
            &header,
            &widths,
            &right,
            header_h,
            RowStyle::Header,
            (fs, pad_x, pad_y, lh),
        );
        let tbody = self.node(tbl, Tag::TBody);
        for (i, r) in rows.iter().enumerate() {
            let h = height(r);
            let need = h + if i + 1 == rows.len() { total_h } else { 0.0 };
            if self.y + need > BOTTOM && self.y > MARGIN_TOP + header_h + 0.01 {
                self.new_page();
                // The header again, as an artifact: it is in the structure once.
                self.row(
                    None,
                    &header,
                    &widths,
                    &right,
                    header_h,
                    RowStyle::Header,
                    (fs, pad_x, pad_y, lh),
                );
            }
            let tr = self.node(tbody, Tag::TR);
            let style = if i % 2 == 1 { RowStyle::Band } else { RowStyle::Body };
            self.row(Some(tr), r, &widths, &right, h, style, (fs, pad_x, pad_y, lh));
        }
        if let Some(tot) = &total {
            self.ensure(total_h);
            let tfoot = self.node(tbl, Tag::TFoot);
            let tr = self.node(tfoot, Tag::TR);
            self.row(
                Some(tr),
                tot,
                &widths,
                &right,
                total_h,
                RowStyle::Total,
                (fs, pad_x, pad_y, lh),
            );
        }
        self.y += 8.0;
    }

    /// Column widths that fill the text width: natural widths when they fit, else
    /// each column's longest word plus a share of the rest.
    fn column_widths(&self, t: &Table, ncol: usize, fs: f32, pad_x: f32) -> Vec<f32> {
        let mut nat = vec![0.0f32; ncol];
        let mut min = vec![0.0f32; ncol];
        let mut see = |cells: &[String], bold: bool| {
            for (i, c) in cells.iter().enumerate().take(ncol) {
                nat[i] = nat[i].max(self.m.width(c, fs, bold) + 2.0 * pad_x);
                let longest = c.split(' ').map(|w| self.m.width(w, fs, bold)).fold(0.0f32, f32::max);
                min[i] = min[i].max(longest + 2.0 * pad_x);
            }
        };
        see(&t.header, true);
        for r in &t.rows {
            see(r, false);
        }
        if let Some(tot) = &t.total {
            see(tot, true);
        }
        // A very long word (a hash) may be cut: no column needs more than half the width.
        for m in &mut min {
            *m = m.clamp(12.0, TEXT_W / 2.0);
        }
        let nat: Vec<f32> = nat.iter().zip(&min).map(|(n, m)| n.max(*m)).collect();
        let sum_nat: f32 = nat.iter().sum();
        if sum_nat <= TEXT_W {
            return nat.iter().map(|n| n * TEXT_W / sum_nat).collect();
        }
        let sum_min: f32 = min.iter().sum();
        if sum_min >= TEXT_W {
            return min.iter().map(|m| m * TEXT_W / sum_min).collect();
        }
        let slack: f32 = nat.iter().zip(&min).map(|(n, m)| n - m).sum();
        nat.iter()
            .zip(&min)
            .map(|(n, m)| m + (TEXT_W - sum_min) * (n - m) / slack.max(1e-3))
            .collect()
    }

    /// One table row at the current y. `tr` is its structure node; `None` draws it as
    /// an artifact (a repeated header).
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        tr: Option<usize>,
        cells: &[Vec<String>],
        widths: &[f32],
        right: &[bool],
        h: f32,
        style: RowStyle,
        (fs, pad_x, pad_y, lh): (f32, f32, f32, f32),
    ) {
        let y0 = self.y;
        match style {
            RowStyle::Header => self.rect(MARGIN_X, y0, TEXT_W, h, ACCENT),
            RowStyle::Band => self.rect(MARGIN_X, y0, TEXT_W, h, BAND),
            RowStyle::Total => self.rect(MARGIN_X, y0, TEXT_W, 1.0, INK),
            RowStyle::Body => {}
        }
        let (bold, color) = match style {
            RowStyle::Header => (true, WHITE),
            RowStyle::Total => (true, INK),
            _ => (false, INK),
        };
        let mut x = MARGIN_X;
        for (i, lines) in cells.iter().enumerate() {
            let w = widths[i];
            let cell = tr.map(|tr| match style {
                RowStyle::Header => self.node(tr, Tag::TH(TableHeaderScope::Column)),
                RowStyle::Total if i == 0 => self.node(tr, Tag::TH(TableHeaderScope::Row)),
                _ => self.node(tr, Tag::TD),
            });
            for (k, line) in lines.iter().enumerate() {
                if line.is_empty() {
                    continue;
                }
                let tw = self.m.width(line, fs, bold);
                let tx = if right[i] { x + w - pad_x - tw } else { x + pad_x };
                let op = Op::Text {
                    x: tx,
                    y: y0 + pad_y + fs + k as f32 * lh,
                    size: fs,
                    bold,
                    color,
                    text: line.clone(),
                };
                match cell {
                    Some(c) => self.content(c, op),
                    None => self.artifact(ArtifactType::PaginationOther, op),
                }
            }
            x += w;
        }
        if !matches!(style, RowStyle::Header) {
            self.rect(MARGIN_X, y0 + h - 0.5, TEXT_W, 0.5, RULE);
        }
        self.y = y0 + h;
    }
}

#[derive(Clone, Copy)]
enum RowStyle {
    Header,
    Body,
    Band,
    Total,
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

struct Fonts {
    regular: Font,
    bold: Font,
}

fn draw(s: &mut Surface<'_>, op: &Op, fonts: &Fonts, trees: &[resvg::usvg::Tree]) {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            color,
            text,
        } => {
            s.set_fill(Some(fill(*color)));
            let font = if *bold { &fonts.bold } else { &fonts.regular };
            s.draw_text(
                Point::from_xy(*x, *y),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rect { x, y, w, h, color } => {
            if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                let mut pb = PathBuilder::new();
                pb.push_rect(r);
                if let Some(path) = pb.finish() {
                    s.set_fill(Some(fill(*color)));
                    s.draw_path(&path);
                }
            }
        }
        Op::Svg { x, y, w, h, tree } => {
            if let (Some(t), Some(size)) = (trees.get(*tree), Size::from_wh(*w, *h)) {
                s.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
                let _ = s.draw_svg(t, size, SvgSettings::default());
                s.pop();
            }
        }
    }
}

fn build_tree(nodes: &mut [LNode], ids: &mut [Option<Identifier>], n: usize) -> Vec<Node> {
    let children = std::mem::take(&mut nodes[n].children);
    let mut out = Vec::new();
    for c in children {
        match c {
            LChild::Content(s) => {
                if let Some(id) = ids.get_mut(s).and_then(Option::take) {
                    out.push(Node::from(id));
                }
            }
            LChild::Node(k) => {
                let kids = build_tree(nodes, ids, k);
                if kids.is_empty() {
                    continue;
                }
                if let Some(tag) = nodes[k].tag.take() {
                    let mut g = TagGroup::new(tag);
                    for kid in kids {
                        g.push(kid);
                    }
                    out.push(Node::from(g));
                }
            }
        }
    }
    out
}

/// Cuts `text` with "…" to fit `width`.
fn fit(m: &Metrics, text: &str, size: f32, width: f32) -> String {
    if m.width(text, size, false) <= width {
        return text.to_string();
    }
    let mut s: String = text.to_string();
    while !s.is_empty() && m.width(&format!("{s}…"), size, false) > width {
        s.pop();
    }
    format!("{}…", s.trim_end())
}

/// Renders the blocks as a tagged PDF.
pub(crate) fn render(blocks: &[Block], meta: &PdfMeta<'_>) -> Result<Vec<u8>, String> {
    let m = Metrics::new()?;
    let mut l = Layout::new(&m);
    for b in blocks {
        match b {
            Block::Heading { level, text, .. } => l.heading(*level, text),
            Block::Para(t) => l.para(t, 9.5, INK),
            Block::Note(t) => l.para(t, 8.0, MUTED),
            Block::List(items) => l.list(items),
            Block::Table(t) => l.table(t),
            Block::Map { svg, caption, .. } => l.map(svg, caption),
        }
    }
    let fonts = Fonts {
        regular: Font::new(REGULAR.into(), 0).ok_or("the bundled font cannot be read")?,
        bold: Font::new(BOLD.into(), 0).ok_or("the bundled font cannot be read")?,
    };
    let footer_left = match meta.date {
        Some(d) => format!("{} · {d}", meta.title),
        None => meta.title.to_string(),
    };
    let footer_left = fit(&m, &footer_left, 8.0, TEXT_W - 90.0);
    let settings = SerializeSettings {
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut doc = Document::new_with(settings);
    let mut ids: Vec<Option<Identifier>> = (0..l.serial).map(|_| None).collect();
    let n_pages = l.pages.len();
    let page_settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
    for (i, items) in l.pages.iter().enumerate() {
        let mut page = doc.start_page_with(page_settings.clone());
        let mut s = page.surface();
        for (op, mark) in items {
            match mark {
                Mark::Content(serial) => {
                    let tag = match op {
                        Op::Text { .. } => ContentTag::Span(SpanTag::empty()),
                        _ => ContentTag::Other,
                    };
                    let id = s.start_tagged(tag);
                    draw(&mut s, op, &fonts, &l.trees);
                    s.end_tagged();
                    if let Some(slot) = ids.get_mut(*serial) {
                        *slot = Some(id);
                    }
                }
                Mark::Artifact(kind) => {
                    s.start_tagged(ContentTag::Artifact(Artifact::with_kind(*kind)));
                    draw(&mut s, op, &fonts, &l.trees);
                    s.end_tagged();
                }
            }
        }
        // The footer: title and date, and the page number.
        let number = format!("Page {} of {n_pages}", i + 1);
        let nw = m.width(&number, 8.0, false);
        for (x, text) in [(MARGIN_X, footer_left.clone()), (PAGE_W - MARGIN_X - nw, number)] {
            s.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Footer)));
            draw(
                &mut s,
                &Op::Text {
                    x,
                    y: FOOTER_Y,
                    size: 8.0,
                    bold: false,
                    color: MUTED,
                    text,
                },
                &fonts,
                &l.trees,
            );
            s.end_tagged();
        }
        s.finish();
        page.finish();
    }
    let mut outline = Outline::new();
    for (text, page, y) in &l.outline {
        outline.push_child(OutlineNode::new(
            text.clone(),
            XyzDestination::new(*page, Point::from_xy(MARGIN_X, *y)),
        ));
    }
    doc.set_outline(outline);
    let mut tree = TagTree::new();
    for n in build_tree(&mut l.nodes, &mut ids, ROOT) {
        tree.push(n);
    }
    doc.set_tag_tree(tree);
    let mut md = Metadata::new()
        .title(meta.title.to_string())
        .language("en-GB".to_string())
        .creator("hubplan".to_string());
    if let Some(a) = meta.author {
        md = md.authors(vec![a.to_string()]);
    }
    doc.set_metadata(md);
    doc.finish().map_err(|e| format!("writing the PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_texts(pdf: &[u8]) -> Vec<String> {
        let doc = lopdf::Document::load_mem(pdf).unwrap();
        doc.get_pages()
            .keys()
            .map(|&n| {
                let t = doc.extract_text(&[n]).unwrap();
                t.split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect()
    }

    fn meta() -> PdfMeta<'static> {
        PdfMeta {
            title: "A long table",
            date: Some("2024-05-01"),
            author: None,
        }
    }

    /// A table longer than a page: its header on every page it runs onto, rows whole,
    /// the total once, after the last row, on the same page.
    #[test]
    fn long_table_repeats_its_header_and_keeps_its_total() {
        let mut t = Table::new(&["Zone name", "Need"], &[1]);
        t.caption = "Every zone".into();
        t.rows = (1..=150)
            .map(|i| vec![format!("Row {i:03} of the table"), format!("{}", i * 10)])
            .collect();
        t.total = Some(vec!["Total".into(), "113,250".into()]);
        let blocks = vec![
            Block::Heading {
                level: 1,
                id: "top".into(),
                text: "A long table".into(),
            },
            Block::Para("Before the table.".into()),
            Block::Table(t),
            Block::Para("After the table.".into()),
        ];
        let pdf = render(&blocks, &meta()).unwrap();
        let pages = page_texts(&pdf);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let n = pages.len();
        let mut seen = 0;
        for (i, p) in pages.iter().enumerate() {
            assert!(p.contains(&format!("Page {} of {n}", i + 1)), "{p}");
            assert!(p.contains("A long table · 2024-05-01"), "{p}");
            let rows = (1..=150)
                .filter(|r| p.contains(&format!("Row {r:03} of the table")))
                .count();
            if rows > 0 {
                assert!(p.contains("Zone name Need"), "header on page {}: {p}", i + 1);
            }
            seen += rows;
        }
        assert_eq!(seen, 150, "every row once");
        let last = pages.iter().rposition(|p| p.contains("Row 150 of the table")).unwrap();
        assert!(pages[last].contains("Total 113,250"), "{}", pages[last]);
        assert_eq!(pages.iter().filter(|p| p.contains("113,250")).count(), 1);
        assert!(pages.iter().any(|p| p.contains("After the table.")));
    }

    /// The map is drawn whole on one page, after a page break if it does not fit.
    #[test]
    fn map_stays_on_one_page() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="900" height="1100" viewBox="0 0 900 1100"><rect x="0" y="0" width="900" height="1100" fill="#ddeeff"/><text x="450" y="550" font-family="Helvetica, Arial, sans-serif" font-size="40">Canterbury</text></svg>"##;
        let mut blocks = vec![Block::Para("Text. ".repeat(400))];
        blocks.push(Block::Map {
            svg: svg.into(),
            file: None,
            caption: "Map: 98% of residents within 35 minutes.".into(),
        });
        let pdf = render(&blocks, &meta()).unwrap();
        let pages = page_texts(&pdf);
        // The map's label is set glyph by glyph, so its letters come out spaced.
        let with_map: Vec<usize> = (0..pages.len())
            .filter(|&i| pages[i].replace(' ', "").contains("Canterbury"))
            .collect();
        assert_eq!(with_map.len(), 1, "{pages:?}");
        assert!(pages[with_map[0]].contains("Map: 98% of residents within 35 minutes."));
    }

    /// Every character the appendix writes has a glyph in both bundled faces.
    #[test]
    fn the_bundled_font_has_every_character_the_appendix_uses() {
        let m = Metrics::new().unwrap();
        for face in &m.faces {
            for c in "£·×Σ–—•…→−≤≥%&'()+,-./0123456789:;<=>?@ABCZabcz".chars() {
                assert!(face.glyph_index(c).is_some(), "no glyph for {c:?}");
            }
        }
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        let m = Metrics::new().unwrap();
        let w = m
            .width("alpha beta", 10.0, false)
            .max(m.width("gamma delta", 10.0, false))
            + 0.1;
        let lines = m.wrap("alpha beta gamma delta", 10.0, false, w);
        assert_eq!(lines, vec!["alpha beta", "gamma delta"]);
        let hash = "ab".repeat(40);
        let lines = m.wrap(&hash, 7.0, false, 60.0);
        assert!(lines.len() > 1 && lines.concat() == hash);
        assert!(lines.iter().all(|l| m.width(l, 7.0, false) <= 60.0));
    }
}
