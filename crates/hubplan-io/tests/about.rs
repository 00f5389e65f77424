//! The scenario's `[about]` section: parsed, carried into plan.json, and every bad
//! value an error naming the file, line and field.

use std::path::Path;

use hubplan_io::{parse_scenario_str, AboutSection, AboutSource, IoErrorKind};

const HEAD: &str = "[inputs]\nsites = \"sites.csv\"\nzones = \"zones.csv\"\ntravel_times = \"t.csv\"\n";

fn parse(about: &str) -> hubplan_io::Result<Option<AboutSection>> {
    parse_scenario_str(&format!("{HEAD}{about}"), Path::new("scenario.toml")).map(|f| f.about)
}

fn err(about: &str) -> (IoErrorKind, String) {
    let e = parse(about).unwrap_err();
    (e.kind, e.to_string())
}

#[test]
fn about_is_parsed_with_its_sources_in_order() {
    let a = parse(
        "[about]\ntitle = \" Kent family hubs \"\nauthor = \"Kent County Council\"\ndate = \"2024-05-01\"\n\
         [[about.sources]]\nname = \"Mid-year population estimates\"\nvintage = \"mid-2015\"\n\
         licence = \"Open Government Licence v3.0\"\nurl = \"https://www.ons.gov.uk/\"\n\
         [[about.sources]]\nname = \"IMD\"\nvintage = \"2019\"\nlicence = \"OGL v3.0\"\n",
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        a,
        AboutSection {
            title: Some("Kent family hubs".into()),
            author: Some("Kent County Council".into()),
            date: Some("2024-05-01".into()),
            sources: vec![
                AboutSource {
                    name: "Mid-year population estimates".into(),
                    vintage: "mid-2015".into(),
                    licence: "Open Government Licence v3.0".into(),
                    url: Some("https://www.ons.gov.uk/".into()),
                },
                AboutSource {
                    name: "IMD".into(),
                    vintage: "2019".into(),
                    licence: "OGL v3.0".into(),
                    url: None,
                },
            ],
        }
    );
    // A TOML date is accepted too; no [about] at all is None.
    let a = parse("[about]\ndate = 2024-05-01\n").unwrap().unwrap();
    assert_eq!(a.date.as_deref(), Some("2024-05-01"));
    assert_eq!(parse("").unwrap(), None);
}

#[test]
fn bad_about_values_name_file_line_and_field() {
    let (k, m) = err("[about]\ntitle = \"\"\n");
    assert_eq!(k, IoErrorKind::BadValue);
    assert!(m.starts_with("scenario.toml:6: field about.title:"), "{m}");

    let (k, m) = err("[about]\nauthor = 3\n");
    assert_eq!(k, IoErrorKind::Toml);
    assert!(
        m.contains("scenario.toml:6: field about.author: expected a string"),
        "{m}"
    );

    let (k, m) = err("[about]\ndate = \"May 2024\"\n");
    assert_eq!(k, IoErrorKind::BadValue);
    assert!(
        m.contains("scenario.toml:6: field about.date: expected a date like 2024-05-01") && m.contains("\"May 2024\""),
        "{m}"
    );

    let (k, m) = err("[about]\nauthors = \"x\"\n");
    assert_eq!(k, IoErrorKind::UnknownKey);
    assert!(m.contains("field about.authors") && m.contains("author"), "{m}");

    let (k, m) = err(
        "[[about.sources]]\nname = \"a\"\nvintage = \"2019\"\nlicence = \"OGL\"\n\
         [[about.sources]]\nname = \"b\"\nvintage = \"2015\"\n",
    );
    assert_eq!(k, IoErrorKind::MissingKey);
    assert!(
        m.contains("field about.sources[2].licence") && m.contains("source 2 has no `licence`"),
        "{m}"
    );

    let (k, m) = err("[[about.sources]]\nname = \"a\"\nvintage = \"2019\"\nlicense = \"OGL\"\n");
    assert_eq!(k, IoErrorKind::UnknownKey);
    assert!(m.contains("scenario.toml:8: field about.sources[1].license"), "{m}");
    assert!(m.contains("did you mean `licence`"), "{m}");

    let (k, m) =
        err("[[about.sources]]\nname = \"a\"\nvintage = \"2019\"\nlicence = \"OGL\"\nurl = \"www.ons.gov.uk\"\n");
    assert_eq!(k, IoErrorKind::BadValue);
    assert!(
        m.contains("scenario.toml:9: field about.sources[1].url: expected a web address"),
        "{m}"
    );

    let (k, m) = err("[about]\nsources = \"ONS\"\n");
    assert_eq!(k, IoErrorKind::Toml);
    assert!(m.contains("field about.sources: expected an array of tables"), "{m}");
}

/// plan.json carries `about` as written; without `[about]` there is no key.
#[test]
fn plan_json_carries_about() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny");
    for f in ["sites.csv", "zones.csv", "travel_times.csv"] {
        std::fs::copy(root.join(f), dir.path().join(f)).unwrap();
    }
    let base = std::fs::read_to_string(root.join("scenario.toml")).unwrap();
    let plan_json = |text: &str| -> serde_json::Value {
        let p = dir.path().join("scenario.toml");
        std::fs::write(&p, text).unwrap();
        let (inputs, sc, meta) = hubplan_io::load_scenario(&p).unwrap().into_inputs().unwrap();
        let plan = hubplan::plan(&inputs, &sc).unwrap();
        let files = hubplan_io::plan_dir_files(&inputs, &sc, &plan, &meta).unwrap();
        let bytes = &files.iter().find(|(n, _)| *n == "plan.json").unwrap().1;
        serde_json::from_slice(bytes).unwrap()
    };
    assert!(plan_json(&base).get("about").is_none());
    let v = plan_json(&format!(
        "{base}\n[about]\ntitle = \"Tiny\"\ndate = \"2024-05-01\"\n[[about.sources]]\nname = \"ONS\"\n\
         vintage = \"mid-2015\"\nlicence = \"OGL v3.0\"\n"
    ));
    assert_eq!(v["about"]["title"], "Tiny");
    assert_eq!(v["about"]["date"], "2024-05-01");
    assert_eq!(v["about"]["sources"][0]["vintage"], "mid-2015");
    assert!(v["about"].get("author").is_none());
}
