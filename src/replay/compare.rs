//! Row-by-row comparison of a replayed book with LOBSTER's orderbook file, with the same rules
//! as `check_replay.py` (kept beside the data): empty levels are normalised to LOBSTER's
//! sentinels, and the window-aware rate forgives a difference at the last compared level on a
//! side when the file's price there lies beyond the previous row's (the level entered the window
//! from depth that the message file never describes).

use serde::Serialize;

use super::lobster::{EMPTY_ASK, EMPTY_BID, OrderbookFile, book_column_name};

/// The first row that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// 1-based row (= line of the orderbook file when it has no blank lines).
    pub row: usize,
    pub column: String,
    pub ours: i64,
    pub file: i64,
}

/// How many rows match, by rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchReport {
    pub rows: usize,
    /// Levels compared.
    pub levels: usize,
    /// Rows whose best bid and ask (level 1) match.
    pub level1: usize,
    /// Rows whose levels 1 to L−1 all match (all rows when L = 1).
    pub upper_levels: usize,
    /// Rows identical on all L levels.
    pub exact: usize,
    /// Rows identical on all L levels once the window rule forgives level L.
    pub window_aware: usize,
    /// Rows matching only thanks to that rule.
    pub forgiven: usize,
    /// First row that differs on levels 1 to L−1 (a real replay error).
    pub first_upper_mismatch: Option<Mismatch>,
    /// First row that differs even with the window rule.
    pub first_window_mismatch: Option<Mismatch>,
}

impl MatchReport {
    pub fn rate(&self, n: usize) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            n as f64 / self.rows as f64
        }
    }
}

/// Normalises the first `levels` levels of a row into `out` the way LOBSTER writes empty
/// levels.
fn normalize(row: &[i64], levels: usize, out: &mut Vec<i64>) {
    out.clear();
    out.extend_from_slice(&row[..4 * levels]);
    for i in 0..levels {
        let (a, b) = (4 * i, 4 * i + 2);
        if out[a + 1] <= 0 {
            out[a] = EMPTY_ASK;
            out[a + 1] = 0;
        }
        if out[b + 1] <= 0 {
            out[b] = EMPTY_BID;
            out[b + 1] = 0;
        }
    }
}

/// Compares `ours` (`4·levels` values per row) with the file's first `levels` levels.
/// `None` when the shapes disagree (row counts, or more levels than the file has).
pub fn compare(ours: &[i64], levels: usize, file: &OrderbookFile) -> Option<MatchReport> {
    let w = 4 * levels;
    if levels == 0 || levels > file.levels || ours.len() != w * file.rows() {
        return None;
    }
    let mut rep = MatchReport {
        rows: file.rows(),
        levels,
        level1: 0,
        upper_levels: 0,
        exact: 0,
        window_aware: 0,
        forgiven: 0,
        first_upper_mismatch: None,
        first_window_mismatch: None,
    };
    let (mut x, mut y, mut prev) = (Vec::new(), Vec::new(), Vec::new());
    let last = 4 * (levels - 1);
    for (i, ours_row) in ours.chunks_exact(w).enumerate() {
        normalize(ours_row, levels, &mut x);
        normalize(file.row(i), levels, &mut y);
        let mismatch = |j: usize| Mismatch {
            row: i + 1,
            column: book_column_name(j),
            ours: x[j],
            file: y[j],
        };
        if x[..4] == y[..4] {
            rep.level1 += 1;
        }
        match (0..last).find(|&j| x[j] != y[j]) {
            None => rep.upper_levels += 1,
            Some(j) => {
                if rep.first_upper_mismatch.is_none() {
                    rep.first_upper_mismatch = Some(mismatch(j));
                }
            }
        }
        let mut bad: Vec<usize> = (0..w).filter(|&j| x[j] != y[j]).collect();
        if bad.is_empty() {
            rep.exact += 1;
            rep.window_aware += 1;
        } else {
            if !prev.is_empty() {
                let p: &Vec<i64> = &prev;
                if p[last + 1] > 0 && y[last] > p[last] && y[last + 1] > 0 {
                    bad.retain(|&j| j != last && j != last + 1);
                }
                if p[last + 3] > 0 && y[last + 2] < p[last + 2] && y[last + 3] > 0 {
                    bad.retain(|&j| j != last + 2 && j != last + 3);
                }
            }
            if bad.is_empty() {
                rep.window_aware += 1;
                rep.forgiven += 1;
            } else if rep.first_window_mismatch.is_none() {
                rep.first_window_mismatch = Some(mismatch(bad[0]));
            }
        }
        std::mem::swap(&mut prev, &mut y);
    }
    Some(rep)
}
