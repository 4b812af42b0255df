//! Consistent-hash ring with virtual nodes, reusable for any sharded backend (the cluster
//! simulation here, real Redis shards elsewhere). Nodes are `u32` ids the caller maps to
//! whatever a node is; keys are `u64` hashes.

use crate::error::ConfigError;
use deterministic::{mix64, SPLITMIX64_GAMMA};

/// Upper bound on nodes on one ring.
pub const MAX_NODES: u32 = 4_096;
/// Upper bound on virtual nodes per node.
pub const MAX_VNODES_PER_NODE: u32 = 1_024;

/// The ring's point hash: SplitMix64's draw from state `z` (advance by the gamma, then
/// [`mix64`]), so that 0 does not map to 0.
#[inline]
fn mix(z: u64) -> u64 {
    mix64(z.wrapping_add(SPLITMIX64_GAMMA))
}

/// A ring of `(point, node)` pairs sorted by point; a key belongs to the first point at or
/// after its hash, wrapping around.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HashRing {
    vnodes_per_node: u32,
    seed: u64,
    points: Vec<(u64, u32)>,
}

impl HashRing {
    /// A ring holding nodes `0..node_count`.
    pub fn new(node_count: u32, vnodes_per_node: u32, seed: u64) -> Result<Self, ConfigError> {
        if vnodes_per_node == 0 {
            return Err(ConfigError::ZeroCapacity {
                what: "virtual nodes per node",
            });
        }
        if vnodes_per_node > MAX_VNODES_PER_NODE {
            return Err(ConfigError::TooLarge {
                what: "virtual nodes per node",
                value: u64::from(vnodes_per_node),
                max: u64::from(MAX_VNODES_PER_NODE),
            });
        }
        if node_count > MAX_NODES {
            return Err(ConfigError::TooLarge {
                what: "nodes",
                value: u64::from(node_count),
                max: u64::from(MAX_NODES),
            });
        }
        let mut ring = HashRing {
            vnodes_per_node,
            seed,
            points: Vec::with_capacity((node_count * vnodes_per_node) as usize),
        };
        for node in 0..node_count {
            ring.add_node(node)?;
        }
        Ok(ring)
    }

    fn point(&self, node: u32, vnode: u32) -> u64 {
        mix(self.seed ^ mix((u64::from(node) << 32) | u64::from(vnode)))
    }

    /// Adds a node (no-op if present). Only keys on the arcs it takes over move to it.
    pub fn add_node(&mut self, node: u32) -> Result<(), ConfigError> {
        if self.contains(node) {
            return Ok(());
        }
        if self.node_count() >= MAX_NODES as usize {
            return Err(ConfigError::TooLarge {
                what: "nodes",
                value: self.node_count() as u64 + 1,
                max: u64::from(MAX_NODES),
            });
        }
        for v in 0..self.vnodes_per_node {
            self.points.push((self.point(node, v), node));
        }
        self.points.sort_unstable();
        Ok(())
    }

    /// Removes a node; its keys move to the next nodes clockwise, nobody else's move.
    pub fn remove_node(&mut self, node: u32) {
        self.points.retain(|&(_, n)| n != node);
    }

    pub fn contains(&self, node: u32) -> bool {
        self.points.iter().any(|&(_, n)| n == node)
    }

    pub fn node_count(&self) -> usize {
        self.points.len() / self.vnodes_per_node as usize
    }

    /// Sorted distinct node ids on the ring.
    pub fn nodes(&self) -> Vec<u32> {
        let mut nodes: Vec<u32> = self.points.iter().map(|&(_, n)| n).collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// The ring's `(point, node)` pairs, sorted by point (for drawing it).
    pub fn points(&self) -> &[(u64, u32)] {
        &self.points
    }

    /// Where `key_hash` sits on the ring: it belongs to the first point at or after this.
    pub fn position(&self, key_hash: u64) -> u64 {
        mix(key_hash ^ self.seed.rotate_left(17))
    }

    fn first_index(&self, key_hash: u64) -> usize {
        let h = self.position(key_hash);
        let i = self.points.partition_point(|&(p, _)| p < h);
        if i == self.points.len() {
            0
        } else {
            i
        }
    }

    /// The node owning `key_hash`, or `None` on an empty ring.
    #[inline]
    pub fn node_for(&self, key_hash: u64) -> Option<u32> {
        if self.points.is_empty() {
            return None;
        }
        Some(self.points[self.first_index(key_hash)].1)
    }

    /// The first node clockwise from `key_hash` for which `usable` holds (for failover to a
    /// replica), or `None` if none does.
    pub fn node_for_where(&self, key_hash: u64, usable: impl Fn(u32) -> bool) -> Option<u32> {
        if self.points.is_empty() {
            return None;
        }
        let start = self.first_index(key_hash);
        let len = self.points.len();
        (0..len)
            .map(|k| self.points[(start + k) % len].1)
            .find(|&n| usable(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deterministic::SplitMix64;

    #[test]
    fn virtual_nodes_balance_load() {
        let ring = HashRing::new(8, 160, 1).unwrap();
        let mut load = [0u64; 8];
        let mut rng = SplitMix64::new(3);
        for _ in 0..80_000 {
            load[ring.node_for(rng.next_u64()).unwrap() as usize] += 1;
        }
        let (min, max) = (load.iter().min().unwrap(), load.iter().max().unwrap());
        assert!(max * 100 < min * 135, "{load:?}");
        // One virtual node per node balances far worse.
        let ring1 = HashRing::new(8, 1, 1).unwrap();
        let mut load1 = [0u64; 8];
        for _ in 0..80_000 {
            load1[ring1.node_for(rng.next_u64()).unwrap() as usize] += 1;
        }
        assert!(load1.iter().max().unwrap() - load1.iter().min().unwrap() > max - min);
    }

    #[test]
    fn removing_a_node_moves_only_its_keys() {
        let mut ring = HashRing::new(5, 64, 9).unwrap();
        let keys: Vec<u64> = (0..5_000u64).map(|k| k.wrapping_mul(0x9e37_79b9)).collect();
        let before: Vec<u32> = keys.iter().map(|&k| ring.node_for(k).unwrap()).collect();
        ring.remove_node(2);
        assert_eq!(ring.node_count(), 4);
        for (k, b) in keys.iter().zip(&before) {
            let after = ring.node_for(*k).unwrap();
            if *b != 2 {
                assert_eq!(after, *b);
            } else {
                assert_ne!(after, 2);
            }
        }
        ring.add_node(2).unwrap();
        let back: Vec<u32> = keys.iter().map(|&k| ring.node_for(k).unwrap()).collect();
        assert_eq!(back, before);
        assert_eq!(ring.node_for_where(keys[0], |n| n == 4), Some(4));
        assert_eq!(ring.node_for_where(keys[0], |_| false), None);
    }

    #[test]
    fn bad_rings_are_rejected_and_empty_rings_own_nothing() {
        assert!(HashRing::new(3, 0, 0).is_err());
        assert!(HashRing::new(MAX_NODES + 1, 1, 0).is_err());
        assert!(HashRing::new(1, MAX_VNODES_PER_NODE + 1, 0).is_err());
        assert_eq!(HashRing::new(0, 4, 0).unwrap().node_for(5), None);
    }
}
