//! Comparing a run with its counterfactual (the same seed without some classes): the price
//! difference along the path and the amplification ratio of the drawdown (or of the rally).

use super::path::{PricePath, max_drawdown, max_rally};
use crate::record::BarRow;

#[derive(Clone, Debug, Default)]
pub struct Ablation {
    /// (day, bar) and the price with and without the removed classes.
    pub at: Vec<(u32, u32)>,
    pub with: Vec<f64>,
    pub without: Vec<f64>,
    pub drawdown_with: f64,
    pub drawdown_without: f64,
    pub rally_with: f64,
    pub rally_without: f64,
}

impl Ablation {
    pub fn new(with: &[BarRow], without: &[BarRow], instrument: u16) -> Self {
        let a = PricePath::new(with, instrument);
        let b = PricePath::new(without, instrument);
        let n = a.close.len().min(b.close.len());
        Ablation {
            at: a.at[..n].to_vec(),
            with: a.close[..n].to_vec(),
            without: b.close[..n].to_vec(),
            drawdown_with: max_drawdown(&a.close).depth,
            drawdown_without: max_drawdown(&b.close).depth,
            rally_with: max_rally(&a.close).depth,
            rally_without: max_rally(&b.close).depth,
        }
    }

    /// Drawdown with the classes over drawdown without them (> 1: they amplified the fall).
    pub fn drawdown_amplification(&self) -> f64 {
        if self.drawdown_without > 0.0 {
            self.drawdown_with / self.drawdown_without
        } else {
            f64::NAN
        }
    }

    pub fn rally_amplification(&self) -> f64 {
        if self.rally_without > 0.0 {
            self.rally_with / self.rally_without
        } else {
            f64::NAN
        }
    }

    /// Relative price difference (with / without − 1) along the path.
    pub fn difference(&self) -> Vec<f64> {
        self.with
            .iter()
            .zip(&self.without)
            .map(|(a, b)| a / b - 1.0)
            .collect()
    }
}
