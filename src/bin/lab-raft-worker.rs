//! The Raft lab's worker (a module Web Worker, see `labs::kit::worker`): digests and verdicts of
//! the page's run, and the chaos sweep.

fn main() {
    site::labs::raft::worker_msg::serve();
}
