//! Blocks → one self-contained HTML page (inline CSS and SVG; nothing fetched).

use crate::doc::{Align, Block, Table};
use crate::fmt::esc;

const CSS: &str = r#"
:root { --ink: #1b1b1b; --muted: #555; --rule: #c8c8c8; --band: #f3f5f7; --accent: #1f4e79; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; color: var(--ink);
       font-size: 10.5pt; line-height: 1.4; margin: 0 auto; max-width: 190mm; padding: 12mm 0; background: #fff; }
h1 { font-size: 19pt; color: var(--accent); margin: 0 0 4pt; border-bottom: 2.5pt solid var(--accent); padding-bottom: 5pt; }
h2 { font-size: 13.5pt; color: var(--accent); margin: 16pt 0 6pt; border-bottom: 0.75pt solid var(--rule); padding-bottom: 2pt; }
h3 { font-size: 11.5pt; margin: 12pt 0 4pt; }
p { margin: 4pt 0 6pt; }
p.note { font-size: 8.5pt; color: var(--muted); }
p.meta { font-size: 9pt; color: var(--muted); margin-top: 0; }
ul { margin: 4pt 0 8pt; padding-left: 16pt; }
li { margin: 2pt 0; }
nav.toc { font-size: 9pt; columns: 2; margin: 6pt 0 10pt; color: var(--muted); }
nav.toc a { color: var(--accent); text-decoration: none; display: inline-block; min-height: 24px; padding: 3px 0; }
caption { caption-side: top; text-align: left; font-weight: 600; font-size: 9.5pt; padding: 2pt 0 3pt; color: var(--ink); }
p.date { font-size: 9pt; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 6pt 0 8pt; font-size: 9pt; }
table.wide { font-size: 7.2pt; }
table.mono td:last-child { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 7pt; word-break: break-all; }
th, td { border-bottom: 0.5pt solid var(--rule); padding: 2.5pt 4pt; vertical-align: top; text-align: left; }
th { background: var(--accent); color: #fff; font-weight: 600; vertical-align: bottom; }
td.r, th.r { text-align: right; }
td.r { white-space: nowrap; }
table.wide th, table.wide td { padding: 2pt 2.5pt; }
tbody tr:nth-child(even) td { background: var(--band); }
tfoot td, tfoot th { font-weight: 700; border-top: 1pt solid var(--ink); background: #fff; }
thead { display: table-header-group; }
/* The total row prints once, at the end, kept with the last body row. */
tfoot { display: table-row-group; break-before: avoid; page-break-before: avoid; }
tbody tr:last-child { break-after: avoid; page-break-after: avoid; }
tr { page-break-inside: avoid; break-inside: avoid; }
figure { margin: 6pt 0 10pt; }
figure svg { width: 100%; height: auto; display: block; border: 0.5pt solid var(--rule); }
figcaption { font-size: 8.5pt; color: var(--muted); margin-top: 3pt; }
@page { size: A4 portrait; margin: 14mm 12mm 16mm 12mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #555; } }
@media print {
  body { padding: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure { break-inside: avoid; page-break-inside: avoid; }
  nav.toc { display: none; }
}
"#;

fn table(t: &Table, out: &mut String) {
    let cls = |i: usize| {
        if t.align.get(i) == Some(&Align::Right) {
            " class=\"r\""
        } else {
            ""
        }
    };
    if t.class.is_empty() {
        out.push_str("<table>\n");
    } else {
        out.push_str(&format!("<table class=\"{}\">\n", t.class));
    }
    if !t.caption.is_empty() {
        out.push_str(&format!("<caption>{}</caption>\n", esc(&t.caption)));
    }
    out.push_str("<thead><tr>");
    for (i, c) in t.header.iter().enumerate() {
        out.push_str(&format!("<th scope=\"col\"{}>{}</th>", cls(i), esc(c)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            out.push_str(&format!("<td{}>{}</td>", cls(i), esc(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n");
    if let Some(tot) = &t.total {
        out.push_str("<tfoot><tr>");
        for (i, c) in tot.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("<th scope=\"row\">{}</th>", esc(c)));
            } else {
                out.push_str(&format!("<td{}>{}</td>", cls(i), esc(c)));
            }
        }
        out.push_str("</tr></tfoot>\n");
    }
    out.push_str("</table>\n");
}

/// Renders the page.
pub(crate) fn render(title: &str, blocks: &[Block], generated: Option<&str>) -> String {
    let mut body = String::new();
    let toc: Vec<(&str, &str)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level: 2, id, text } => Some((id.as_str(), text.as_str())),
            _ => None,
        })
        .collect();
    for b in blocks {
        match b {
            Block::Heading { level, id, text } => {
                body.push_str(&format!("<h{level} id=\"{}\">{}</h{level}>\n", esc(id), esc(text)));
                if *level == 1 && !toc.is_empty() {
                    body.push_str("<nav class=\"toc\">");
                    for (id, text) in &toc {
                        body.push_str(&format!("<a href=\"#{}\">{}</a><br>", esc(id), esc(text)));
                    }
                    body.push_str("</nav>\n");
                }
            }
            Block::Para(t) => body.push_str(&format!("<p>{}</p>\n", esc(t))),
            Block::Note(t) => body.push_str(&format!("<p class=\"note\">{}</p>\n", esc(t))),
            Block::List(items) => {
                body.push_str("<ul>\n");
                for i in items {
                    body.push_str(&format!("<li>{}</li>\n", esc(i)));
                }
                body.push_str("</ul>\n");
            }
            Block::Table(t) => table(t, &mut body),
            Block::Map { svg, caption, .. } => {
                body.push_str("<figure>\n");
                body.push_str(svg);
                body.push_str(&format!("\n<figcaption>{}</figcaption>\n</figure>\n", esc(caption)));
            }
        }
    }
    let meta = generated.map_or_else(String::new, |g| {
        format!("<meta name=\"generated\" content=\"{}\">\n", esc(g))
    });
    // Every printed page carries the date (bottom left) and its number (bottom right).
    let footer = generated.map_or_else(String::new, |g| {
        let text: String = format!("{title} · {g}")
            .chars()
            .filter(|c| !c.is_control())
            .flat_map(|c| match c {
                '"' | '\\' => vec!['\\', c],
                '<' => "\\3c ".chars().collect(),
                c => vec![c],
            })
            .collect();
        format!("@page {{ @bottom-left {{ content: \"{text}\"; font-size: 8pt; color: #555; }} }}\n")
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{meta}<title>{}</title>\n\
         <style>{CSS}{footer}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}
