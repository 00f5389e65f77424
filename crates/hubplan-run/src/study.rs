//! The feasibility study (`hubplan study`): services, need, access, priority areas and
//! equality of a loaded scenario, no decision made (docs/STUDY.md).

use std::path::Path;

use hubplan::study::{Study, StudyOptions};
use hubplan_report::StudyMap;

use crate::error::Result;
use crate::job::Job;

/// Maps of the study's appendix, with their file names.
const STUDY_MAPS: [(&str, StudyMap); 3] = [
    ("need.svg", StudyMap::Need),
    ("access.svg", StudyMap::Access),
    ("priority.svg", StudyMap::Priority),
];

/// A study of a [`Job`]'s inputs, ready to be written or summarised.
#[derive(Debug)]
pub struct StudyOutcome {
    job: Job,
    options: StudyOptions,
    study: Study,
}

impl Job {
    /// Runs the feasibility study on the loaded inputs (options from
    /// [`crate::load_for_study`]).
    ///
    /// # Errors
    /// The core's error when the options do not fit the inputs.
    pub fn study(&self, options: &StudyOptions) -> Result<StudyOutcome> {
        let study = hubplan::study::study(self.inputs(), options)?;
        Ok(StudyOutcome {
            job: self.clone(),
            options: options.clone(),
            study,
        })
    }
}

impl StudyOutcome {
    /// The study itself.
    pub fn study(&self) -> &Study {
        &self.study
    }

    /// Remarks about the inputs the study made (shown as `warning: …` unless quiet).
    pub fn warnings(&self) -> &[String] {
        &self.study.warnings
    }

    /// Writes the study's directory atomically: study.json, zones.csv, areas.csv,
    /// study.geojson and, with `report`, the appendix (appendix.html, appendix.md)
    /// and its maps (need.svg, access.svg, priority.svg).
    ///
    /// # Errors
    /// A file could not be written; nothing is left half-written.
    pub fn write(&self, dir: &Path, report: bool) -> Result<()> {
        let (inputs, meta, study) = (self.job.inputs(), self.job.meta(), &self.study);
        let mut extra: Vec<(&str, Vec<u8>)> = Vec::new();
        if report {
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
                (
                    "priority deciles".to_string(),
                    format!("1–{}", self.options.priority_deciles),
                ),
            ];
            for s in &study.services {
                settings.push((format!("limit: {}", s.id), format!("{} min", s.max_minutes)));
            }
            let provenance = hubplan_report::Provenance {
                inputs: crate::provenance_inputs(meta),
                settings,
                transit: crate::travel_source_words(meta),
                travel: hubplan_report::TravelMode::from_source(&meta.travel_source),
                solver: String::new(),
                version: meta.hubplan_version.clone(),
                notices: meta.notices.clone(),
                about: crate::outcome::report_about(meta),
            };
            let app = hubplan_report::StudyAppendix {
                title: "Feasibility study: services, need, access and priority areas",
                inputs,
                study,
                provenance: &provenance,
                generated: None,
                map_files: Some(STUDY_MAPS.map(|(f, _)| f)),
            };
            for (file, map) in STUDY_MAPS {
                extra.push((file, hubplan_report::study_map_svg(inputs, study, map).into_bytes()));
            }
            extra.push(("appendix.md", hubplan_report::study_appendix_md(&app).into_bytes()));
            extra.push(("appendix.html", hubplan_report::study_appendix_html(&app).into_bytes()));
        }
        hubplan_io::write_study_dir(dir, inputs, study, meta, extra)?;
        Ok(())
    }

    /// A few lines for the terminal: the population, each service's reach, the
    /// priority areas and the best option in the first five.
    pub fn summary_text(&self) -> String {
        let (inputs, s) = (self.job.inputs(), &self.study);
        let t = &s.equality.total;
        let mut out = format!(
            "{} {}, population {:.0}, children ({}) {:.0}\n",
            t.zones,
            if t.zones == 1 { "zone" } else { "zones" },
            t.population,
            s.children_source,
            t.children
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
                "  {} (rank {}, {} {}, {:.0} children): {}\n",
                a.id,
                a.best_rank,
                a.zones.len(),
                if a.zones.len() == 1 { "zone" } else { "zones" },
                a.children,
                best.join("; ")
            );
        }
        out
    }
}
