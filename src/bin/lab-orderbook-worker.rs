//! The order book lab's benchmark worker (a module Web Worker, see `labs::kit::worker`).

fn main() {
    site::labs::orderbook::bench_msg::serve();
}
