#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hubplan_fuzz::scenario_toml(data));
