//! The appendix's "Data quality" section: the data-quality notices of the inputs
//! (`hubplan validate`, docs/VALIDATION.md), grouped by code.

use hubplan::notice::{counts, group, Notice};

use crate::doc::{Block, Table};

fn heading() -> Block {
    Block::Heading {
        level: 2,
        id: "data-quality".into(),
        text: "Data quality".into(),
    }
}

/// Appends the section when there are notices (a plan made from clean inputs has none,
/// and its appendix is unchanged).
pub(crate) fn section(notices: &[Notice], b: &mut Vec<Block>) {
    if notices.is_empty() {
        return;
    }
    let (e, w, i) = counts(notices);
    b.push(heading());
    b.push(Block::Para(format!(
        "The inputs were checked before the plan was made, as hubplan validate checks them: {e} error(s), {w} warning(s) and {i} note(s). A plan is only made when there is no error; the warnings below may still weaken it and should be read with it. Each code is explained, with how to fix it, in docs/VALIDATION.md of hubplan."
    )));
    let mut t = Table::new(&["Severity", "Code", "Count", "First example"], &[2]);
    t.caption = "Data-quality notices of the inputs, by code".into();
    for g in group(notices, 1) {
        let ex = g.examples.first().map_or(String::new(), |n| {
            let mut s = n.location();
            s.push_str(&n.message);
            s
        });
        t.rows.push(vec![
            g.severity.name().to_string(),
            g.code.clone(),
            g.count.to_string(),
            ex,
        ]);
    }
    t.class = "wide";
    b.push(Block::Table(t));
}
