//! The market-data lab's worker (a module Web Worker, see `labs::kit::worker`): the parse +
//! apply + checksum benchmark.

fn main() {
    site::labs::marketdata::worker_msg::serve();
}
