//! The appendix as a Word document (`appendix.docx`), drawn from the same
//! blocks as the HTML and Markdown: headings as Word's built-in heading styles
//! (so they land in a council's template and its table of contents), tables as
//! editable Word tables with a bold header row that repeats on each page and
//! rows that do not split, the map as a PNG image (rasterised from the SVG with
//! resvg and the bundled font), A4 pages with the title, date and page number
//! in the footer.

use std::io::{Read, Write};

use docx_rs::{
    AlignmentType, Docx, Footer, NumPages, PageMargin, PageNum, Paragraph, Pic, Run, RunFonts, Style, StyleType, Table,
    TableCell, TableRow,
};

use crate::doc::{Align, Block};

/// A4 in twentieths of a point.
const A4_W: u32 = 11_906;
const A4_H: u32 = 16_838;
/// EMU per pixel at 96 dpi.
const EMU_PER_PX: u32 = 9_525;
/// The page's text width (A4 less 2 × 700 twips), in EMU (1 twip = 635 EMU).
const TEXT_W_EMU: u32 = (A4_W - 1_400) * 635;
/// The map's scale when rasterised (2 × its SVG size: sharp when printed).
const MAP_SCALE: f32 = 2.0;

fn styles(mut d: Docx) -> Docx {
    for (level, size) in [(1usize, 36usize), (2, 28), (3, 24)] {
        d = d.add_style(
            Style::new(format!("Heading{level}"), StyleType::Paragraph)
                .name(format!("heading {level}"))
                .based_on("Normal")
                .next("Normal")
                .q_format(true)
                .size(size)
                .bold()
                .color("1F4E79")
                .outline_lvl(level - 1),
        );
    }
    d.add_style(
        Style::new("Caption", StyleType::Paragraph)
            .name("caption")
            .based_on("Normal")
            .q_format(true)
            .size(18)
            .bold(),
    )
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

fn cell(text: &str, bold: bool, right: bool) -> TableCell {
    let mut run = Run::new().add_text(text).size(16);
    if bold {
        run = run.bold();
    }
    let mut p = Paragraph::new().add_run(run);
    if right {
        p = p.align(AlignmentType::Right);
    }
    TableCell::new().add_paragraph(p)
}

fn table(t: &crate::doc::Table) -> Table {
    let right = |i: usize| t.align.get(i) == Some(&Align::Right);
    let mut rows = vec![TableRow::new(
        t.header
            .iter()
            .enumerate()
            .map(|(i, h)| cell(h, true, right(i)))
            .collect(),
    )
    .cant_split()];
    for r in &t.rows {
        rows.push(TableRow::new(r.iter().enumerate().map(|(i, c)| cell(c, false, right(i))).collect()).cant_split());
    }
    if let Some(tot) = &t.total {
        rows.push(TableRow::new(tot.iter().enumerate().map(|(i, c)| cell(c, true, right(i))).collect()).cant_split());
    }
    Table::new(rows)
}

/// Renders the blocks as a .docx (a zip). Each map is rasterised to PNG; a map that
/// cannot be drawn leaves its caption alone.
pub(crate) fn render(blocks: &[Block], footer: &str) -> Result<Vec<u8>, String> {
    let foot = Paragraph::new()
        .add_run(Run::new().add_text(format!("{footer} · Page ")).size(16))
        .add_page_num(PageNum::new())
        .add_run(Run::new().add_text(" of ").size(16))
        .add_num_pages(NumPages::new());
    let mut d = styles(Docx::new())
        .page_size(A4_W, A4_H)
        .page_margin(PageMargin::new().top(800).bottom(900).left(700).right(700).footer(400))
        .default_fonts(RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial"))
        .default_size(20)
        .footer(Footer::new().add_paragraph(foot));
    let mut maps = 0;
    for b in blocks {
        match b {
            Block::Heading { level, text, .. } => {
                d = d.add_paragraph(para(text).style(&format!("Heading{}", (*level).clamp(1, 3))));
            }
            Block::Para(t) => d = d.add_paragraph(para(t)),
            Block::Note(t) => {
                d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(t).size(16).italic()));
            }
            Block::List(items) => {
                for i in items {
                    d = d.add_paragraph(para(&format!("• {i}")));
                }
            }
            Block::Table(t) => {
                if !t.caption.is_empty() {
                    d = d.add_paragraph(para(&t.caption).style("Caption"));
                }
                d = d.add_table(table(t));
                d = d.add_paragraph(Paragraph::new());
            }
            Block::Map { svg, caption, .. } => {
                if let Ok((png, w, h)) = svg_to_png(svg, MAP_SCALE) {
                    // Fit the page's text width.
                    let (w_emu, h_emu) = (w * EMU_PER_PX, h * EMU_PER_PX);
                    let k = (TEXT_W_EMU as f64 / w_emu as f64).min(1.0);
                    // docx-rs numbers images from a process-wide counter: name each here,
                    // so the same blocks give the same bytes.
                    maps += 1;
                    let pic = Pic::new_with_dimensions(png, w, h)
                        .id(format!("rIdImage{maps}"))
                        .size((w_emu as f64 * k) as u32, (h_emu as f64 * k) as u32);
                    d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_image(pic)));
                }
                d = d.add_paragraph(para(caption).style("Caption"));
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| format!("writing the Word document: {e}"))?;
    repeat_header_rows(&out.into_inner())
}

/// Marks the first row of every table as a header row that Word repeats at the top of
/// each page (`<w:tblHeader/>`), which docx-rs cannot write: the package is copied entry
/// by entry with `word/document.xml` rewritten.
fn repeat_header_rows(docx: &[u8]) -> Result<Vec<u8>, String> {
    let err = |e: zip::result::ZipError| format!("writing the Word document: {e}");
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(docx)).map_err(err)?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let mut f = src.by_index(i).map_err(err)?;
        if f.name() != "word/document.xml" {
            out.raw_copy_file(f).map_err(err)?;
            continue;
        }
        let mut xml = String::new();
        f.read_to_string(&mut xml)
            .map_err(|e| format!("writing the Word document: {e}"))?;
        let name = f.name().to_string();
        drop(f);
        let xml = mark_header_rows(&xml);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        out.start_file(name, opts).map_err(err)?;
        out.write_all(xml.as_bytes())
            .map_err(|e| format!("writing the Word document: {e}"))?;
    }
    Ok(out.finish().map_err(err)?.into_inner())
}

/// Inserts `<w:tblHeader />` into the row properties of the first row of each table.
fn mark_header_rows(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 1024);
    let mut rest = xml;
    while let Some(i) = rest.find("<w:tbl>") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // The first row's properties follow the table's own properties.
        match (rest.find("<w:tr>"), rest.find("<w:trPr>")) {
            (Some(tr), Some(pr)) if pr > tr => {
                let at = pr + "<w:trPr>".len();
                out.push_str(&rest[..at]);
                out.push_str("<w:tblHeader />");
                rest = &rest[at..];
            }
            _ => {
                out.push_str("<w:tbl>");
                rest = &rest["<w:tbl>".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The fonts the map is drawn with (the bundled Liberation Sans, whatever the machine
/// has installed, so the output is the same everywhere), as usvg options.
pub(crate) fn svg_options() -> resvg::usvg::Options<'static> {
    let mut opt = resvg::usvg::Options::default();
    let db = opt.fontdb_mut();
    db.load_font_data(crate::pdf::REGULAR.to_vec());
    db.load_font_data(crate::pdf::BOLD.to_vec());
    db.set_sans_serif_family("Liberation Sans");
    db.set_serif_family("Liberation Sans");
    db.set_monospace_family("Liberation Sans");
    opt.font_family = "Liberation Sans".to_string();
    opt
}

/// Rasterises an SVG (the map) to PNG at `scale` × its size, its labels drawn with the
/// bundled Liberation Sans. Returns the PNG and its size in px, or why not.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<(Vec<u8>, u32, u32), String> {
    let tree = resvg::usvg::Tree::from_str(svg, &svg_options()).map_err(|e| format!("reading the map SVG: {e}"))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil().max(1.0) as u32,
        (size.height() * scale).ceil().max(1.0) as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or("the map has no area")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().map_err(|e| format!("encoding the map PNG: {e}"))?;
    Ok((png, w, h))
}

#[cfg(test)]
mod tests {
    use super::mark_header_rows;

    #[test]
    fn header_rows_marked_once_per_table() {
        let xml = "<w:tbl><w:tblPr/><w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr><w:tr><w:trPr><w:cantSplit />\
                   </w:trPr></w:tr></w:tbl><w:p/><w:tbl><w:tr><w:trPr></w:trPr></w:tr></w:tbl>";
        let out = mark_header_rows(xml);
        assert_eq!(out.matches("<w:tblHeader />").count(), 2);
        assert!(out.starts_with("<w:tbl><w:tblPr/><w:tr><w:trPr><w:tblHeader /><w:cantSplit />"));
    }
}
