//! The rate limiter lab's worker (a module Web Worker, see `labs::kit::worker`): the accuracy
//! experiment and the decision benchmark.

fn main() {
    site::labs::ratelimit::worker_msg::serve();
}
