//! The feedback-loop graph (docs/model.md §9.0): nodes for market state (price, realised
//! volatility, trend signal, dealer delta) and for the agent classes; edges weighted by the
//! sensitivities measured in the run (regressions across days and bars); every cycle through
//! the price is a loop, and the product of its edge weights is its gain k — the share of a move
//! the loop adds back (amplification 1/(1−k) when it is the only loop).
//!
//! Units make the weights multiply to a pure number: returns in percent, flows in $bn,
//! volatility in percentage points, signals in [−1, 1].

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use super::flows::FlowAttribution;
use super::momentum::ols;
use super::path::PricePath;
use super::state::daily_mean;
use crate::agents::{AgentClass, Metric};
use crate::record::{FlowRow, RunRecords};

/// A sensitivity measured in the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub weight: f64,
    /// What the weight is in ("$bn per 1%", …).
    pub unit: &'static str,
    /// Observations the regression used, and its R².
    pub n: usize,
    pub r2: f64,
}

/// One cycle through the price.
#[derive(Clone, Debug, PartialEq)]
pub struct Loop {
    pub nodes: Vec<String>,
    pub gain: f64,
}

#[derive(Clone, Debug)]
pub struct FeedbackGraph {
    pub graph: DiGraph<String, Edge>,
    pub loops: Vec<Loop>,
}

const PRICE: &str = "price";

fn fit(x: &[f64], y: &[f64], unit: &'static str) -> Option<Edge> {
    let f = ols(x, y);
    (f.n >= 5 && f.slope.is_finite()).then_some(Edge {
        weight: f.slope,
        unit,
        n: f.n,
        r2: f.r2,
    })
}

/// Price impact of one class: bar log return (%) on the class's net flow in the bar ($bn),
/// over the bars where it traded.
fn impact(flows: &[FlowRow], path: &PricePath, class: AgentClass, instrument: u16) -> Option<Edge> {
    let mut by_bar: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    for f in flows
        .iter()
        .filter(|f| f.class == class && f.instrument == instrument)
    {
        *by_bar.entry((f.day, f.bar)).or_insert(0.0) += f.net_usd / 1e9;
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for k in 1..path.close.len() {
        if let Some(q) = by_bar.get(&path.at[k]) {
            x.push(*q);
            y.push(100.0 * (path.close[k] / path.close[k - 1]).ln());
        }
    }
    fit(&x, &y, "% per $bn")
}

impl FeedbackGraph {
    /// Measures the graph of `instrument` from a run's records, its price path and its flow
    /// attribution (the caller has them already).
    pub fn measure(
        r: &RunRecords,
        instrument: u16,
        path: &PricePath,
        att: &FlowAttribution,
    ) -> Self {
        let days = path.days();
        let closes = path.daily_closes();
        let mut ret: BTreeMap<u32, f64> = BTreeMap::new();
        for k in 1..closes.len() {
            ret.insert(days[k], 100.0 * (closes[k] / closes[k - 1] - 1.0));
        }
        let flow = |c: AgentClass, d: u32| att.net(c, d) / 1e9;
        let mut g: DiGraph<String, Edge> = DiGraph::new();
        let mut nodes: BTreeMap<String, NodeIndex> = BTreeMap::new();
        let mut node = |g: &mut DiGraph<String, Edge>, name: &str| {
            *nodes
                .entry(name.to_string())
                .or_insert_with(|| g.add_node(name.to_string()))
        };
        let price = node(&mut g, PRICE);
        let classes = att.classes();
        // Changes of a daily state series, paired with the same day's return.
        let changes = |s: &BTreeMap<u32, f64>| -> Vec<(u32, f64)> {
            s.iter()
                .zip(s.iter().skip(1))
                .map(|((_, a), (d, b))| (*d, b - a))
                .collect()
        };
        for &c in &classes {
            if !AgentClass::MECHANICAL.contains(&c) {
                continue;
            }
            let cn = node(&mut g, c.as_str());
            if let Some(e) = impact(&r.flows, path, c, instrument) {
                g.add_edge(cn, price, e);
            }
            match c {
                AgentClass::VolTarget => {
                    let vol = daily_mean(&r.state, c, Metric::VolEstimate, instrument, true);
                    let dv = changes(&vol);
                    let v = node(&mut g, "realised_vol");
                    let (x, y): (Vec<f64>, Vec<f64>) = dv
                        .iter()
                        .filter_map(|(d, dv)| Some((*ret.get(d)?, 100.0 * dv)))
                        .unzip();
                    if let Some(e) = fit(&x, &y, "vol points per 1%") {
                        g.add_edge(price, v, e);
                    }
                    // Funds act on yesterday's estimate.
                    let (x, y): (Vec<f64>, Vec<f64>) = dv
                        .iter()
                        .map(|(d, dv)| (100.0 * dv, flow(c, d + 1)))
                        .unzip();
                    if let Some(e) = fit(&x, &y, "$bn per vol point") {
                        g.add_edge(v, cn, e);
                    }
                }
                AgentClass::Cta => {
                    let sig = daily_mean(&r.state, c, Metric::Signal, instrument, false);
                    let ds = changes(&sig);
                    let t = node(&mut g, "trend_signal");
                    let (x, y): (Vec<f64>, Vec<f64>) = ds
                        .iter()
                        .filter_map(|(d, s)| Some((*ret.get(d)?, *s)))
                        .unzip();
                    if let Some(e) = fit(&x, &y, "signal per 1%") {
                        g.add_edge(price, t, e);
                    }
                    let (x, y): (Vec<f64>, Vec<f64>) =
                        ds.iter().map(|(d, s)| (*s, flow(c, d + 1))).unzip();
                    if let Some(e) = fit(&x, &y, "$bn per unit of signal") {
                        g.add_edge(t, cn, e);
                    }
                }
                AgentClass::Dealer => {
                    let delta = daily_mean(&r.state, c, Metric::OptionsDeltaUsd, instrument, true);
                    let dd = changes(&delta);
                    let dn = node(&mut g, "dealer_delta");
                    let (x, y): (Vec<f64>, Vec<f64>) = dd
                        .iter()
                        .filter_map(|(d, v)| Some((*ret.get(d)?, v / 1e9)))
                        .unzip();
                    if let Some(e) = fit(&x, &y, "$bn of delta per 1%") {
                        g.add_edge(price, dn, e);
                    }
                    let (x, y): (Vec<f64>, Vec<f64>) =
                        dd.iter().map(|(d, v)| (v / 1e9, flow(c, *d))).unzip();
                    if let Some(e) = fit(&x, &y, "$bn of hedge per $bn of delta") {
                        g.add_edge(dn, cn, e);
                    }
                }
                _ => {
                    let (x, y): (Vec<f64>, Vec<f64>) =
                        ret.iter().map(|(d, r)| (*r, flow(c, *d))).unzip();
                    if let Some(e) = fit(&x, &y, "$bn per 1%") {
                        g.add_edge(price, cn, e);
                    }
                }
            }
        }
        let loops = cycles_through(&g, price);
        FeedbackGraph { graph: g, loops }
    }

    /// Graphviz DOT with the weights and units on the edges.
    pub fn to_dot(&self) -> String {
        let mut s = String::from("digraph feedback {\n  rankdir=LR;\n");
        for n in self.graph.node_indices() {
            let name = &self.graph[n];
            let shape = if AgentClass::parse(name).is_some() {
                "box"
            } else {
                "ellipse"
            };
            s.push_str(&format!("  \"{name}\" [shape={shape}];\n"));
        }
        for e in self.graph.edge_references() {
            let w = e.weight();
            s.push_str(&format!(
                "  \"{}\" -> \"{}\" [label=\"{:.3} {} (R² {:.2}, n {})\"];\n",
                self.graph[e.source()],
                self.graph[e.target()],
                w.weight,
                w.unit,
                w.r2,
                w.n
            ));
        }
        s.push_str("}\n");
        s
    }
}

/// Every simple cycle through `start`, with the product of its edge weights.
fn cycles_through(g: &DiGraph<String, Edge>, start: NodeIndex) -> Vec<Loop> {
    let mut out = Vec::new();
    let mut stack = vec![(start, vec![start], 1.0)];
    while let Some((n, path, gain)) = stack.pop() {
        for e in g.edges(n) {
            let t = e.target();
            let w = gain * e.weight().weight;
            if t == start {
                out.push(Loop {
                    nodes: path.iter().map(|&i| g[i].clone()).collect(),
                    gain: w,
                });
            } else if !path.contains(&t) {
                let mut p = path.clone();
                p.push(t);
                stack.push((t, p, w));
            }
        }
    }
    out.sort_by(|a, b| a.nodes.cmp(&b.nodes));
    out
}
