//! Loads a scenario, plans it and writes the outputs: `cargo run -p hubplan-io --example load -- SCENARIO.toml [OUT]`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: load SCENARIO.toml [OUT]");
        std::process::exit(2);
    };
    let t = std::time::Instant::now();
    let loaded = match hubplan_io::load_scenario(std::path::Path::new(path)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!("loaded in {:?}", t.elapsed());
    let (inputs, scenario, meta) = match loaded.into_inputs() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    eprintln!("{} sites, {} zones, {} services, {} pairs", inputs.sites.len(), inputs.zones.len(), inputs.services.len(), inputs.travel.n_pairs());
    if let Some(out) = args.get(2) {
        match hubplan::plan(&inputs, &scenario) {
            Ok(plan) => {
                eprintln!("{} objective {}", plan.status.name(), plan.objective);
                if let Err(e) = hubplan_io::write_plan_dir(std::path::Path::new(out), &inputs, &scenario, &plan, &meta) {
                    eprintln!("error: {e}");
                    std::process::exit(2);
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(3);
            }
        }
    }
}
