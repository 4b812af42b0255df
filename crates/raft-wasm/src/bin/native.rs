//! `raft-native ARGS_JSON REPS`: this harness's `digest`, compiled natively and timed (see
//! `bench-native`).

fn main() -> std::process::ExitCode {
    bench_native::main(raft_wasm::digest)
}
