//! A tiny document model that both the HTML and the Markdown renderers draw,
//! so the two appendices always say the same thing.

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A table: a header, rows of plain-text cells, an optional total row.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    /// Column headings.
    pub header: Vec<String>,
    /// Alignment per column.
    pub align: Vec<Align>,
    /// Body rows.
    pub rows: Vec<Vec<String>>,
    /// A total row, shown in bold.
    pub total: Option<Vec<String>>,
    /// Extra CSS class for the HTML table (e.g. `wide`).
    pub class: &'static str,
    /// A caption naming what the table shows (HTML `<caption>`; a line above it in Markdown).
    pub caption: String,
}

impl Table {
    /// A table with these columns, left-aligned unless listed in `right`.
    pub fn new(cols: &[&str], right: &[usize]) -> Self {
        Table {
            header: cols.iter().map(|c| c.to_string()).collect(),
            align: (0..cols.len())
                .map(|i| if right.contains(&i) { Align::Right } else { Align::Left })
                .collect(),
            rows: Vec::new(),
            total: None,
            class: "",
            caption: String::new(),
        }
    }
}

/// One block of the document.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading; level 1 is the title. `id` is the HTML anchor.
    Heading {
        /// 1–3.
        level: u8,
        /// Anchor.
        id: String,
        /// Text.
        text: String,
    },
    /// A paragraph of plain text.
    Para(String),
    /// A short note in small print.
    Note(String),
    /// A bulleted list of plain-text items.
    List(Vec<String>),
    /// A table.
    Table(Table),
    /// The map (inline SVG in HTML; an image link in Markdown when a file name is given).
    Map {
        /// The SVG document.
        svg: String,
        /// The file the Markdown links to, if any.
        file: Option<String>,
        /// A caption.
        caption: String,
    },
}
