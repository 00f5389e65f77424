//! Lenient but exact number parsing for spreadsheet exports.

/// Why a cell is not a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumErr {
    /// Nothing but whitespace.
    Empty,
    /// Not a number at all.
    NotANumber,
    /// NaN or infinity.
    NotFinite,
    /// A comma that is not a thousands separator (e.g. a decimal comma "3,5").
    BadComma,
}

impl NumErr {
    /// A hint to append to a message.
    pub(crate) fn hint(self) -> &'static str {
        match self {
            NumErr::Empty => "",
            NumErr::NotANumber => "",
            NumErr::NotFinite => " (NaN and infinity are not allowed)",
            NumErr::BadComma => {
                " (a comma is read only as a thousands separator in groups of three digits, like \"1,296\"; write decimals with a point)"
            }
        }
    }
}

/// Parses a number as officers' spreadsheets write it: surrounding whitespace,
/// an optional sign, an optional leading `£`, thousands separators in groups of
/// three (`1,296`, `£1,234,567.89`), a decimal point, an exponent. NaN and
/// infinity are rejected.
pub(crate) fn parse_number(raw: &str) -> Result<f64, NumErr> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(NumErr::Empty);
    }
    let (neg, rest) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let rest = rest.strip_prefix('£').unwrap_or(rest).trim_start();
    let lower = rest.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "inf" | "infinity" | "+inf" | "-inf") {
        return Err(NumErr::NotFinite);
    }
    let cleaned: String;
    let body = if rest.contains(',') {
        cleaned = strip_thousands(rest).ok_or(NumErr::BadComma)?;
        cleaned.as_str()
    } else {
        rest
    };
    // Only plain decimal syntax: digits, one point, an exponent.
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        || !body.as_bytes()[0].is_ascii_digit() && body.as_bytes()[0] != b'.'
    {
        return Err(NumErr::NotANumber);
    }
    let v: f64 = body.parse().map_err(|_| NumErr::NotANumber)?;
    if !v.is_finite() {
        return Err(NumErr::NotFinite);
    }
    Ok(if neg { -v } else { v })
}

/// "1,234,567.89" → "1234567.89"; None unless every comma separates groups of three digits.
fn strip_thousands(s: &str) -> Option<String> {
    let (int, frac) = match s.find('.') {
        Some(p) => (&s[..p], &s[p..]),
        None => (s, ""),
    };
    if frac.contains(',') {
        return None;
    }
    let groups: Vec<&str> = int.split(',').collect();
    let first = groups.first()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    for g in &groups[1..] {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    Some(format!("{}{}", groups.concat(), frac))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_spreadsheet_numbers() {
        for (s, v) in [
            ("12", 12.0),
            (" 12.5 ", 12.5),
            ("1,296", 1296.0),
            ("£1,234,567.89", 1_234_567.89),
            ("-£5", -5.0),
            ("1e3", 1000.0),
            (".5", 0.5),
            ("+7", 7.0),
        ] {
            assert_eq!(parse_number(s), Ok(v), "{s}");
        }
    }

    #[test]
    fn rejects_the_rest() {
        assert_eq!(parse_number(""), Err(NumErr::Empty));
        assert_eq!(parse_number("  "), Err(NumErr::Empty));
        assert_eq!(parse_number("NaN"), Err(NumErr::NotFinite));
        assert_eq!(parse_number("-inf"), Err(NumErr::NotFinite));
        assert_eq!(parse_number("1e400"), Err(NumErr::NotFinite));
        assert_eq!(parse_number("3,5"), Err(NumErr::BadComma));
        assert_eq!(parse_number("1,2345"), Err(NumErr::BadComma));
        assert_eq!(parse_number("abc"), Err(NumErr::NotANumber));
        assert_eq!(parse_number("12abc"), Err(NumErr::NotANumber));
        assert_eq!(parse_number("0x10"), Err(NumErr::NotANumber));
        assert_eq!(parse_number("£"), Err(NumErr::NotANumber));
        assert_eq!(parse_number("-"), Err(NumErr::NotANumber));
    }
}
