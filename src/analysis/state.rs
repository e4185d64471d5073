//! Agents' daily state, aggregated over a class: the series charts and the feedback graph read.

use std::collections::BTreeMap;

use crate::agents::{AgentClass, Metric};
use crate::record::StateRow;

/// Per day, the sum and the number of `metric` values the agents of `class` reported for
/// `instrument`; with `scalar_only`, only values without a coordinate (not per lookback or
/// per spot level).
pub fn daily_totals(
    state: &[StateRow],
    class: AgentClass,
    metric: Metric,
    instrument: u16,
    scalar_only: bool,
) -> BTreeMap<u32, (f64, usize)> {
    let mut acc: BTreeMap<u32, (f64, usize)> = BTreeMap::new();
    for s in state.iter().filter(|s| {
        s.class == class
            && s.metric == metric
            && s.instrument == instrument
            && (!scalar_only || s.at.is_none())
    }) {
        let e = acc.entry(s.day).or_insert((0.0, 0));
        e.0 += s.value;
        e.1 += 1;
    }
    acc
}

/// The daily mean over the class (see [`daily_totals`]).
pub fn daily_mean(
    state: &[StateRow],
    class: AgentClass,
    metric: Metric,
    instrument: u16,
    scalar_only: bool,
) -> BTreeMap<u32, f64> {
    daily_totals(state, class, metric, instrument, scalar_only)
        .into_iter()
        .map(|(d, (v, n))| (d, v / n as f64))
        .collect()
}

/// The daily sum over the class (positions, dollar gamma).
pub fn daily_sum(
    state: &[StateRow],
    class: AgentClass,
    metric: Metric,
    instrument: u16,
) -> BTreeMap<u32, f64> {
    daily_totals(state, class, metric, instrument, true)
        .into_iter()
        .map(|(d, (v, _))| (d, v))
        .collect()
}
