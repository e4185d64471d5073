//! Which runs a sweep has, what their folders are called, and which shard runs which.

use std::fmt;
use std::str::FromStr;

use crate::scenario::Sweep;

/// One (point, seed) run of a sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunId {
    /// Position in the sweep's run order: point by point, each point's seeds in file order.
    pub index: usize,
    pub point: usize,
    pub seed: u64,
}

impl RunId {
    /// The run's folder name, `p0003-seed7`: readable, and sorting by point for up to 10,000
    /// points.
    pub fn name(&self) -> String {
        format!("p{:04}-seed{}", self.point, self.seed)
    }
}

/// Every run of the sweep, in order.
pub fn runs(sweep: &Sweep) -> Vec<RunId> {
    let seeds = &sweep.seeds;
    (0..sweep.points.len())
        .flat_map(|point| {
            seeds.iter().enumerate().map(move |(k, &seed)| RunId {
                index: point * seeds.len() + k,
                point,
                seed,
            })
        })
        .collect()
}

/// A deterministic slice of a sweep, `index` of `count` (0-based), for cluster job arrays.
/// Runs are dealt round-robin in run order, so every shard gets a similar mix of points even
/// when a grid makes some points much slower than others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    pub fn contains(&self, run: &RunId) -> bool {
        run.index % self.count == self.index
    }

    pub fn is_all(&self) -> bool {
        self.count == 1
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let usage = || format!("expected I/N with 0 <= I < N, such as 0/4, got {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(usage)?;
        let index: usize = i.trim().parse().map_err(|_| usage())?;
        let count: usize = n.trim().parse().map_err(|_| usage())?;
        if count == 0 || index >= count {
            return Err(format!(
                "shard {index}/{count} does not exist: shards are numbered 0 to N-1"
            ));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_partition_the_runs() {
        assert_eq!("1/4".parse(), Ok(Shard { index: 1, count: 4 }));
        assert!("4/4".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        let runs: Vec<RunId> = (0..10)
            .map(|index| RunId {
                index,
                point: index / 2,
                seed: index as u64 % 2,
            })
            .collect();
        let mut seen = vec![0; runs.len()];
        for index in 0..3 {
            let shard = Shard { index, count: 3 };
            for r in runs.iter().filter(|r| shard.contains(r)) {
                seen[r.index] += 1;
            }
        }
        assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
    }
}
