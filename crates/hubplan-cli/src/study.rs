//! `hubplan study`: the feasibility study of a scenario's inputs, no decision made.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use hubplan::study::Study;
use hubplan::Inputs;

use crate::{GtfsLimitArgs, Printer};

/// Arguments of `hubplan study`.
#[derive(Debug, clap::Args)]
pub struct StudyArgs {
    /// The scenario file (TOML): the same inputs as `plan`, plus an optional [study] table.
    pub scenario: PathBuf,
    /// Output directory (created if needed; files are replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the feasibility-study appendix (appendix.html, appendix.md, need.svg, access.svg, priority.svg).
    #[arg(long)]
    pub report: bool,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
}

/// Runs the study and writes its directory.
pub fn run(a: &StudyArgs) -> Result<ExitCode> {
    let printer = Printer::new(a.quiet);
    let (job, opts) = hubplan_run::load_for_study(&a.scenario, &a.gtfs_limit.load_options(), &printer)?;
    let (inputs, meta) = (job.inputs(), job.meta());
    let study = hubplan::study::study(inputs, &opts)?;
    let mut extra: Vec<(&str, Vec<u8>)> = Vec::new();
    if a.report {
        let mut settings = vec![
            ("children".to_string(), study.children_source.clone()),
            (
                "need indicators".to_string(),
                study
                    .indicators
                    .iter()
                    .map(|i| format!("{} × {}", i.column, i.weight))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            ("priority deciles".to_string(), format!("1–{}", opts.priority_deciles)),
        ];
        for s in &study.services {
            settings.push((format!("limit: {}", s.id), format!("{} min", s.max_minutes)));
        }
        let provenance = hubplan_report::Provenance {
            inputs: hubplan_run::provenance_inputs(meta),
            settings,
            transit: hubplan_run::travel_source_words(meta),
            solver: String::new(),
            version: meta.hubplan_version.clone(),
            notices: meta.notices.clone(),
            about: Default::default(),
        };
        let app = hubplan_report::StudyAppendix {
            title: "Feasibility study: services, need, access and priority areas",
            inputs,
            study: &study,
            provenance: &provenance,
            generated: None,
            map_files: Some(["need.svg", "access.svg", "priority.svg"]),
        };
        use hubplan_report::StudyMap;
        extra.push((
            "need.svg",
            hubplan_report::study_map_svg(inputs, &study, StudyMap::Need).into_bytes(),
        ));
        extra.push((
            "access.svg",
            hubplan_report::study_map_svg(inputs, &study, StudyMap::Access).into_bytes(),
        ));
        extra.push((
            "priority.svg",
            hubplan_report::study_map_svg(inputs, &study, StudyMap::Priority).into_bytes(),
        ));
        extra.push(("appendix.md", hubplan_report::study_appendix_md(&app).into_bytes()));
        extra.push(("appendix.html", hubplan_report::study_appendix_html(&app).into_bytes()));
    }
    hubplan_io::write_study_dir(&a.out, inputs, &study, meta, extra)?;
    if !a.quiet {
        for w in &study.warnings {
            eprintln!("warning: {w}");
        }
    }
    print!("{}", summary(inputs, &study));
    println!("wrote {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}

/// A few lines for the terminal.
pub fn summary(inputs: &Inputs, s: &Study) -> String {
    let t = &s.equality.total;
    let mut out = format!(
        "{} zones, population {:.0}, children ({}) {:.0}\n",
        t.zones, t.population, s.children_source, t.children
    );
    for (k, svc) in s.services.iter().enumerate() {
        out += &format!(
            "{}: {} hosting today, {} could host; children within {} min: {}\n",
            svc.id,
            svc.hosts.len(),
            svc.could_host.len(),
            svc.max_minutes,
            hubplan::fmt::pct(t.share_within(k).unwrap_or(0.0))
        );
    }
    out += &format!(
        "priority zones: {}; priority areas: {}\n",
        s.ranked.len(),
        s.areas.len()
    );
    for a in s.areas.iter().take(5) {
        let best: Vec<String> = a
            .options
            .iter()
            .map(|o| {
                format!(
                    "{} → {} ({:.0} of {:.0} children)",
                    s.services[o.service].id,
                    o.site.map_or("none", |j| inputs.site(j).id.as_str()),
                    o.children_reached,
                    o.children_beyond
                )
            })
            .collect();
        out += &format!(
            "  {} (rank {}, {} zones, {:.0} children): {}\n",
            a.id,
            a.best_rank,
            a.zones.len(),
            a.children,
            best.join("; ")
        );
    }
    out
}
