//! Numbers as a cabinet paper writes them — the one place for money, counts,
//! minutes and percentages, used by the explanations, the appendix, the terminal
//! summaries and the server alike.
//!
//! Conventions: whole pounds with thousands separators (`£1,270,000`), a true minus
//! sign for negatives (`−£5,000`), `n/a` for a value that is not a number.

/// Whole pounds with thousands separators: `£1,270,000`; negative as `−£5,000`; `n/a` when not finite.
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let neg = x < -0.5;
    let n = x.abs().round() as u128;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}£{out}", if neg { "−" } else { "" })
}

/// Two amounts of money set against each other in one sentence ("the budget … is
/// below …"): as [`money`] writes them, or with pence (`£200.40`, `£200.45`) when
/// whole pounds would write them alike.
pub fn money_against(x: f64, y: f64) -> (String, String) {
    let (a, b) = (money(x), money(y));
    if a != b || !x.is_finite() || !y.is_finite() || x == y {
        return (a, b);
    }
    let pence = |v: f64| {
        let p = (v.abs() * 100.0).round();
        let whole = money((p / 100.0).trunc()).replace('−', "");
        format!("{}{whole}.{:02}", if v < -0.005 { "−" } else { "" }, (p % 100.0) as u32)
    };
    (pence(x), pence(y))
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

/// A count or need, rounded to a whole number, with thousands separators: `12,345`.
pub fn count(x: f64) -> String {
    money(x).replace('£', "")
}

/// A signed change in a count: `+120`, `−35`, `0`.
pub fn count_change(x: f64) -> String {
    if !x.is_finite() {
        "n/a".into()
    } else if x.round() > 0.0 {
        format!("+{}", count(x))
    } else {
        count(x)
    }
}

/// Minutes to one decimal: `34.5 min`; `no route` when not finite.
pub fn minutes(m: f64) -> String {
    if m.is_finite() {
        format!("{m:.1} min")
    } else {
        "no route".into()
    }
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

/// The share of `part` in `whole` as [`pct`] writes it; `n/a` when `whole` is not above 0.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_set_against_each_other_differ_in_writing() {
        assert_eq!(money_against(200.0, 250.0), ("£200".into(), "£250".into()));
        assert_eq!(money_against(200.4, 200.45), ("£200.40".into(), "£200.45".into()));
        assert_eq!(
            money_against(1_234_567.5, 1_234_567.7),
            ("£1,234,567.50".into(), "£1,234,567.70".into())
        );
        assert_eq!(money_against(-0.0, 0.0), ("£0".into(), "£0".into()));
    }

    #[test]
    fn money_and_counts() {
        assert_eq!(money(1_270_000.0), "£1,270,000");
        assert_eq!(money(-5000.0), "−£5,000");
        assert_eq!(money(-0.4), "£0");
        assert_eq!(money(f64::NAN), "n/a");
        assert_eq!(money_change(12_000.0), "+£12,000");
        assert_eq!(money_change(0.2), "£0");
        assert_eq!(money_short(1_270_000.0), "£1.27m");
        assert_eq!(money_short(800_000.0), "£800k");
        assert_eq!(count(12_345.4), "12,345");
        assert_eq!(count_change(120.0), "+120");
        assert_eq!(count_change(-35.0), "−35");
    }

    #[test]
    fn shares_and_minutes() {
        assert_eq!(pct(0.982), "98.2%");
        assert_eq!(pct(0.9996), ">99.9%");
        assert_eq!(pct(0.0001), "<0.1%");
        assert_eq!(pct_of(1.0, 0.0), "n/a");
        assert_eq!(pp_change(-0.012), "−1.2 pp");
        assert_eq!(minutes(34.54), "34.5 min");
        assert_eq!(minutes(f64::INFINITY), "no route");
        assert_eq!(plain(35.0), "35");
    }
}
