//! Numbers as a cabinet paper writes them, and escaping.

/// Whole pounds with thousands separators: `£1,270,000`; negative as `−£5,000`.
pub fn money(x: f64) -> String {
    hubplan::explain::pounds(x)
}

/// A signed change in pounds: `+£12,000`, `−£5,000`, `£0`.
pub fn money_change(x: f64) -> String {
    if !x.is_finite() {
        "n/a".into()
    } else if x.round() == 0.0 {
        "£0".into()
    } else if x > 0.0 {
        format!("+{}", money(x))
    } else {
        money(x)
    }
}

/// Pounds in millions or thousands for chart labels: `£1.27m`, `£800k`.
pub fn money_short(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let sign = if x < 0.0 { "−" } else { "" };
    let a = x.abs();
    if a >= 1_000_000.0 {
        let s = format!("{:.2}", a / 1_000_000.0);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        format!("{sign}£{s}m")
    } else if a >= 1_000.0 {
        format!("{sign}£{:.0}k", a / 1_000.0)
    } else {
        format!("{sign}£{a:.0}")
    }
}

/// A whole number with thousands separators: `12,345`.
pub fn count(x: f64) -> String {
    hubplan::explain::count(x)
}

/// Minutes to one decimal: `34.5 min`; `no route` when not finite.
pub fn minutes(m: f64) -> String {
    hubplan::explain::minutes(m)
}

/// Minutes, or `–` when absent.
pub fn minutes_opt(m: Option<f64>) -> String {
    m.map_or_else(|| "–".into(), minutes)
}

/// A share in [0, 1] as a percentage to one decimal: `98.2%`. Never rounds a
/// share below 1 up to `100.0%` (it shows `>99.9%`), nor a share above 0 down to `0.0%`.
pub fn pct(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let p = x * 100.0;
    if (99.95..100.0).contains(&p) {
        ">99.9%".into()
    } else if p > 0.0 && p < 0.05 {
        "<0.1%".into()
    } else {
        format!("{p:.1}%")
    }
}

/// A share of `part` in `whole`, `n/a` when `whole` is 0.
pub fn pct_of(part: f64, whole: f64) -> String {
    if whole > 0.0 {
        pct(part / whole)
    } else {
        "n/a".into()
    }
}

/// A change in percentage points: `+1.2 pp`.
pub fn pp_change(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let p = x * 100.0;
    if p.abs() < 0.05 {
        "0.0 pp".into()
    } else if p > 0.0 {
        format!("+{p:.1} pp")
    } else {
        format!("−{:.1} pp", -p)
    }
}

/// A number as written in settings: no trailing `.0`.
pub fn plain(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

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
