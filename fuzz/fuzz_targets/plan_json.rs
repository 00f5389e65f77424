#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hubplan_fuzz::plan_json(data));
