//! Numbers as a cabinet paper writes them (re-exported from the one formatter,
//! [`hubplan::fmt`]), and escaping.

pub use hubplan::fmt::{
    count, count_change, minutes, minutes_opt, money, money_change, money_short, pct, pct_of, plain, pp_change,
};

/// Escapes text for HTML and SVG (element content and attribute values).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Escapes text for a Markdown paragraph or table cell (pipes, emphasis marks, HTML, newlines).
pub fn md(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '`' | '[' | ']' | '\\' => {
                o.push('\\');
                o.push(c);
            }
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\n' | '\r' => o.push(' '),
            _ => o.push(c),
        }
    }
    o
}

/// "within 35 minutes", or "within reach" when there is no access limit (a zone is then
/// within reach when the travel-time matrix has a journey from it to an open hub).
pub(crate) fn within_phrase(limit: Option<f64>) -> String {
    limit.map_or_else(|| "within reach".into(), |m| format!("within {} minutes", plain(m)))
}

/// "limit 35 minutes", or "no access limit", for captions.
pub(crate) fn limit_caption(limit: Option<f64>) -> String {
    limit.map_or_else(|| "no access limit".into(), |m| format!("limit {} minutes", plain(m)))
}

/// The heading of a within-the-limit column: "Within limit before", or "Within reach before".
pub(crate) fn within_column(limit: Option<f64>, when: &str) -> String {
    format!("Within {} {when}", if limit.is_some() { "limit" } else { "reach" })
}

/// The sentence defining "within reach" when there is no access limit (empty with a limit).
pub(crate) fn no_limit_note(limit: Option<f64>) -> &'static str {
    if limit.is_some() {
        ""
    } else {
        " There is no access limit: a zone is within reach when the travel-time matrix has a journey from it \
         to an open hub."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_a_cabinet_paper() {
        assert_eq!(money(1_270_000.0), "£1,270,000");
        assert_eq!(money(999.6), "£1,000");
        assert_eq!(money(0.0), "£0");
        assert_eq!(money(-5_000.0), "−£5,000");
        assert_eq!(money_change(12_000.0), "+£12,000");
        assert_eq!(money_short(1_270_000.0), "£1.27m");
        assert_eq!(money_short(800_000.0), "£800k");
        assert_eq!(money_short(2_000_000.0), "£2m");
        assert_eq!(minutes(34.54), "34.5 min");
        assert_eq!(pct(0.9823), "98.2%");
        assert_eq!(pct(1.0), "100.0%");
        assert_eq!(pct(0.99996), ">99.9%");
        assert_eq!(pct(0.0), "0.0%");
        assert_eq!(pp_change(-0.012), "−1.2 pp");
        assert_eq!(count(12345.4), "12,345");
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(md("a|b*c_d"), "a\\|b\\*c\\_d");
    }
}
