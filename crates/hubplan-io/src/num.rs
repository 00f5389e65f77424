//! Lenient but exact number parsing for spreadsheet exports.

/// Why a cell is not a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum NumErr {
    /// Nothing but whitespace.
    Empty,
    /// Not a number at all.
    NotANumber,
    /// NaN or infinity.
    NotFinite,
    /// A comma that is not a thousands separator (e.g. a decimal comma "3,5").
    BadComma,
    /// Accounting notation for a negative amount: `(5,000)`, `(£5,000)`, `5,000-`;
    /// the value it stands for.
    Accounting(f64),
    /// A minus sign that is not the ASCII hyphen-minus (`−5`, U+2212); the value.
    UnicodeMinus(f64),
    /// A currency other than pounds (`$`, `€`, `USD`…): the symbol or code found.
    OtherCurrency(&'static str),
    /// A multiplier suffix (`5k`, `1.2m`, `2bn`): the value it stands for.
    Suffix(f64),
}

impl NumErr {
    /// A hint to append to a message about the cell `raw`.
    pub(crate) fn hint(self, raw: &str) -> String {
        let raw = raw.trim();
        match self {
            NumErr::Empty | NumErr::NotANumber => String::new(),
            NumErr::NotFinite => " (NaN and infinity are not allowed)".into(),
            NumErr::BadComma => {
                " (a comma is read only as a thousands separator in groups of three digits, like \"1,296\"; write decimals with a point)".into()
            }
            NumErr::Accounting(v) => {
                let digits = raw.trim_matches(|c: char| matches!(c, '(' | ')' | '-' | '£' | ' '));
                format!(
                    " (that looks like accounting notation for −{digits}: write {}, without brackets)",
                    hubplan::fmt::plain(v)
                )
            }
            NumErr::UnicodeMinus(v) => format!(
                " (its minus sign is the typographic − (U+2212), not the keyboard's hyphen-minus; write {})",
                hubplan::fmt::plain(v)
            ),
            NumErr::OtherCurrency(c) => {
                format!(" (found the currency {c}: amounts are in pounds, written as a number alone or with a leading £)")
            }
            NumErr::Suffix(v) => format!(
                " (a multiplier such as k, m or bn is not read; write the number in full, {})",
                hubplan::fmt::plain(v)
            ),
        }
    }

    /// [`NumErr::hint`] for a field named `field` that takes no negative numbers:
    /// a negative amount in another notation is said to be refused here too,
    /// rather than rewritten into a number that would be refused next.
    pub(crate) fn hint_non_negative(self, raw: &str, field: &str) -> String {
        let raw = raw.trim();
        match self {
            NumErr::Accounting(_) => {
                let digits = raw.trim_matches(|c: char| matches!(c, '(' | ')' | '-' | '£' | ' '));
                format!(
                    " (that looks like accounting notation for −{digits}, a negative amount, and `{field}` cannot be negative; for an amount of {digits} write {}, without brackets)",
                    digits.replace(',', "")
                )
            }
            NumErr::UnicodeMinus(_) => {
                format!(" (a negative number, with the typographic minus sign −, and `{field}` cannot be negative)")
            }
            e => e.hint(raw),
        }
    }
}

/// Parses a number as officers' spreadsheets write it: surrounding whitespace,
/// an optional sign, an optional leading `£`, thousands separators in groups of
/// three (`1,296`, `£1,234,567.89`), a decimal point, an exponent. NaN and
/// infinity are rejected. A cell that is not a number but looks like one written
/// another way (accounting brackets, a typographic minus, another currency, `5k`)
/// is refused with a [`NumErr`] that says what it looks like.
pub(crate) fn parse_number(raw: &str) -> Result<f64, NumErr> {
    parse_plain(raw).map_err(|e| match e {
        NumErr::NotANumber | NumErr::BadComma => diagnose(raw.trim()).unwrap_or(e),
        e => e,
    })
}

/// What a cell that is not a plain number looks like, when it looks like a number
/// written another way.
fn diagnose(s: &str) -> Option<NumErr> {
    // Accounting notation: "(5,000)", "(£5,000)", "£(5,000)", "5,000-", "£5,000-".
    let inner = s
        .strip_prefix('£')
        .map(str::trim_start)
        .unwrap_or(s)
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| s.strip_suffix('-'))
        .map(str::trim);
    if let Some(v) = inner.and_then(|i| parse_plain(i).ok()).filter(|v| *v >= 0.0) {
        return Some(NumErr::Accounting(-v));
    }
    if let Some(r) = s.strip_prefix('\u{2212}') {
        if let Ok(v) = parse_plain(r) {
            return Some(NumErr::UnicodeMinus(-v));
        }
    }
    // Another currency, before or after the number: "$5,000", "€5", "5000 EUR".
    for (sym, name) in [("$", "$"), ("€", "€"), ("US$", "US$")] {
        let rest = s
            .strip_prefix(sym)
            .or_else(|| s.strip_prefix('-').and_then(|r| r.strip_prefix(sym)));
        if rest.is_some_and(|r| parse_plain(r).is_ok()) {
            return Some(NumErr::OtherCurrency(name));
        }
    }
    for (code, name) in [("usd", "USD"), ("eur", "EUR"), ("gbp", "GBP")] {
        let lower = s.to_ascii_lowercase();
        let rest = lower.strip_suffix(code).or_else(|| lower.strip_prefix(code));
        if rest.is_some_and(|r| parse_plain(r).is_ok()) {
            return Some(NumErr::OtherCurrency(name));
        }
    }
    // A multiplier: "5k", "£1.2m", "2bn".
    let lower = s.to_ascii_lowercase();
    for (suffix, mult) in [("bn", 1e9), ("k", 1e3), ("m", 1e6)] {
        if let Some(r) = lower.strip_suffix(suffix) {
            if let Ok(v) = parse_plain(r.trim_end()) {
                return Some(NumErr::Suffix(v * mult));
            }
        }
    }
    None
}

fn parse_plain(raw: &str) -> Result<f64, NumErr> {
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
        assert_eq!(parse_number("(abc)"), Err(NumErr::NotANumber));
        assert_eq!(parse_number("()"), Err(NumErr::NotANumber));
    }

    #[test]
    fn numbers_written_another_way_say_what_they_look_like() {
        for (s, v) in [
            ("(5,000)", -5000.0),
            (" (£5,000.50) ", -5000.5),
            ("£(5,000)", -5000.0),
            ("5,000-", -5000.0),
            ("(12)", -12.0),
        ] {
            assert_eq!(parse_number(s), Err(NumErr::Accounting(v)), "{s}");
        }
        assert_eq!(parse_number("\u{2212}5"), Err(NumErr::UnicodeMinus(-5.0)));
        assert_eq!(parse_number("$5,000"), Err(NumErr::OtherCurrency("$")));
        assert_eq!(parse_number("€5"), Err(NumErr::OtherCurrency("€")));
        assert_eq!(parse_number("5000 EUR"), Err(NumErr::OtherCurrency("EUR")));
        assert_eq!(parse_number("5k"), Err(NumErr::Suffix(5000.0)));
        assert_eq!(parse_number("1.2m"), Err(NumErr::Suffix(1_200_000.0)));
        assert_eq!(
            NumErr::Accounting(-5000.0).hint("(5,000)"),
            " (that looks like accounting notation for −5,000: write -5000, without brackets)"
        );
        assert_eq!(
            NumErr::Accounting(-5000.0).hint_non_negative("(£5,000)", "annual_cost"),
            " (that looks like accounting notation for −5,000, a negative amount, and `annual_cost` cannot be negative; for an amount of 5,000 write 5000, without brackets)"
        );
    }
}
