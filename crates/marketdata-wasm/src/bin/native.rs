//! `marketdata-native ARGS_JSON WARMUP REPS`: this harness's `digest`, compiled natively and
//! timed (see `bench-native`).

fn main() -> std::process::ExitCode {
    bench_native::main(marketdata_wasm::digest)
}
