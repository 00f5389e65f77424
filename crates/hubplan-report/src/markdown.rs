//! Blocks → GitHub-flavoured Markdown.

use crate::doc::{Align, Block, Table};
use crate::fmt::md;

fn table(t: &Table, out: &mut String) {
    let row = |cells: &[String], bold: bool| {
        let mut s = String::from("|");
        for c in cells {
            let c = md(c);
            if bold && !c.is_empty() {
                s.push_str(&format!(" **{c}** |"));
            } else {
                s.push_str(&format!(" {c} |"));
            }
        }
        s.push('\n');
        s
    };
    if !t.caption.is_empty() {
        out.push_str(&format!("*Table: {}*\n\n", md(&t.caption)));
    }
    out.push_str(&row(&t.header, false));
    out.push('|');
    for a in &t.align {
        out.push_str(match a {
            Align::Left => " --- |",
            Align::Right => " ---: |",
        });
    }
    out.push('\n');
    for r in &t.rows {
        out.push_str(&row(r, false));
    }
    if let Some(tot) = &t.total {
        out.push_str(&row(tot, true));
    }
    out.push('\n');
}

/// Renders the blocks as Markdown.
pub(crate) fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Heading { level, text, .. } => {
                out.push_str(&"#".repeat(*level as usize));
                out.push(' ');
                out.push_str(&md(text));
                out.push_str("\n\n");
            }
            Block::Para(t) => {
                out.push_str(&md(t));
                out.push_str("\n\n");
            }
            Block::Note(t) => {
                out.push_str("> ");
                out.push_str(&md(t));
                out.push_str("\n\n");
            }
            Block::List(items) => {
                for i in items {
                    out.push_str("- ");
                    out.push_str(&md(i));
                    out.push('\n');
                }
                out.push('\n');
            }
            Block::Table(t) => table(t, &mut out),
            Block::Map { file, caption, .. } => {
                if let Some(f) = file {
                    // The alternative text is what the map shows: its caption's first
                    // sentence (a study's need map is not "access after the plan").
                    out.push_str(&format!("![{}]({f})\n\n", md(&map_alt(caption))));
                }
                out.push_str(&md(caption));
                out.push_str("\n\n");
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// A map's alternative text: the first sentence of its caption, without the full stop.
fn map_alt(caption: &str) -> String {
    let first = caption.find(". ").map_or(caption, |i| &caption[..i]);
    let first = first.trim().trim_end_matches('.');
    if first.is_empty() {
        "Map".into()
    } else {
        first.to_string()
    }
}
