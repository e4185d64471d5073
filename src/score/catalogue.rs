//! `validation/estimates.toml`: published estimates of mechanical flows and positioning, one
//! entry per figure, with what the source assumed, so the monitor's figure can be put in the
//! same units and compared.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::history::parse_date;
use crate::scenario::ScenarioError;

/// The catalogue: published estimates, and size figures kept beside them for reference.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(default)]
    pub estimate: Vec<Estimate>,
    /// Published sizes of the classes (assets under management): not flows, so not scored;
    /// the defaults of `docs/calibration.md` are read against them.
    #[serde(default)]
    pub size: Vec<SizeFigure>,
}

/// What an estimate measures.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Net dollars traded over the window (negative = sold).
    FlowUsd,
    /// Net dollars traded over the window as a fraction of the class's assets.
    FlowPctAssets,
    /// Exposure (position over assets) at the window's end.
    Exposure,
    /// Exposure percentile against the class's own history at the window's end.
    ExposurePercentile,
    /// Position in dollars at the window's end.
    PositionUsd,
    /// Position percentile against the class's own history at the window's end.
    PositionPercentile,
    /// Percentile rank of the exposure change over the window among all changes of the same
    /// length in the ten years before it (how rare a pull-back is).
    ExposureChangePercentile,
    /// Dollars traded per 1% move of the index (the LETF complex's dollar gamma / 100).
    #[serde(rename = "flow_per_1pct_usd")]
    FlowPer1pctUsd,
}

/// A hypothetical continuation after the window: `days` trading days of index returns of
/// size `daily_abs_return`, alternating in sign (down first) so the level stays near flat,
/// or all of one sign with `trend = "down"` or `"up"`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Projection {
    pub days: u32,
    pub daily_abs_return: f64,
    #[serde(default)]
    pub trend: Trend,
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    #[default]
    Alternating,
    Down,
    Up,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Estimate {
    /// Short unique name, shown in the table.
    pub id: String,
    /// Who published it, where and when.
    pub source: String,
    /// `vol_target`, `cta`, `letf`, `pension`, or `systematic` (vol-target and CTA together).
    pub class: String,
    /// Index symbol, or `all` for every history given.
    pub index: String,
    pub quantity: Quantity,
    /// The window (`YYYY-MM-DD`); a figure at one date has `from = to`. Absent when the
    /// source gives no date: the entry then needs one before it can be scored.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// The published number, in the quantity's units (dollars negative for selling).
    pub published: f64,
    /// The class assets the source assumed; dollar figures from flowsim are rescaled from
    /// its own configured assets to these.
    #[serde(default)]
    pub assets_usd: Option<f64>,
    /// Pass when flowsim / published is within [1/tolerance, tolerance] (same sign).
    #[serde(default = "d_tolerance")]
    pub tolerance: f64,
    /// What the source said about the fund it modelled, as keys of the class's monitor table
    /// (e.g. `target_vol = 0.12`).
    #[serde(default)]
    pub config: toml::Table,
    /// A hypothetical path after `to` whose flows the figure is.
    #[serde(default)]
    pub projection: Option<Projection>,
    /// Input the figure needs that no daily history gives (named in the verdict).
    #[serde(default)]
    pub needs: Option<String>,
    /// The estimate the defaults were calibrated on (`docs/calibration.md`); the rest are
    /// out-of-sample.
    #[serde(default)]
    pub calibration: bool,
}

fn d_tolerance() -> f64 {
    2.0
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SizeFigure {
    pub class: String,
    pub date: String,
    pub assets_usd: f64,
    pub what: String,
    pub source: String,
}

const CLASSES: [&str; 5] = ["vol_target", "cta", "letf", "pension", "systematic"];

impl Catalogue {
    pub fn load(path: &Path) -> Result<Catalogue, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            file: path.to_path_buf(),
            source,
        })?;
        crate::scenario::parse_checked(path, &text, Catalogue::problems)
    }

    fn problems(&self) -> Vec<(String, String)> {
        let mut p = Vec::new();
        for (k, e) in self.estimate.iter().enumerate() {
            let mut add = |f: &str, m: String| p.push((format!("estimate[{k}].{f}"), m));
            if e.id.trim().is_empty() {
                add("id", "must not be empty".into());
            } else if self.estimate[..k].iter().any(|o| o.id == e.id) {
                add("id", format!("duplicate id {:?}", e.id));
            }
            if !CLASSES.contains(&e.class.as_str()) {
                add("class", format!("must be one of {}", CLASSES.join(", ")));
            }
            if e.index.trim().is_empty() {
                add("index", "must name an index symbol or `all`".into());
            }
            let mut dates = Vec::new();
            for (f, v) in [("from", &e.from), ("to", &e.to)] {
                if let Some(v) = v {
                    match parse_date(v) {
                        Ok(d) => dates.push(d),
                        Err(m) => add(f, m),
                    }
                }
            }
            if e.from.is_some() != e.to.is_some() {
                add("to", "give both from and to, or neither".into());
            }
            if let [a, b] = dates[..]
                && a > b
            {
                add("to", "must not be before from".into());
            }
            if !e.published.is_finite() || e.published == 0.0 {
                add("published", "must be a finite, non-zero number".into());
            }
            if !(e.tolerance.is_finite() && e.tolerance > 1.0 && e.tolerance <= 100.0) {
                add(
                    "tolerance",
                    "must be a factor above 1 and at most 100".into(),
                );
            }
            if let Some(a) = e.assets_usd
                && !(a.is_finite() && a > 0.0 && a <= 1e15)
            {
                add(
                    "assets_usd",
                    "must be positive dollars, at most 1e15".into(),
                );
            }
            if let Some(pr) = &e.projection {
                if pr.days == 0 || pr.days > 250 {
                    add("projection.days", "must be between 1 and 250".into());
                }
                if !(pr.daily_abs_return.is_finite()
                    && pr.daily_abs_return >= 0.0
                    && pr.daily_abs_return < 0.5)
                {
                    add("projection.daily_abs_return", "must be in [0, 0.5)".into());
                }
            }
            if !e.config.is_empty()
                && !matches!(e.class.as_str(), "vol_target" | "cta" | "letf" | "pension")
            {
                add(
                    "config",
                    "applies to one class's table: vol_target, cta, letf or pension".into(),
                );
            }
        }
        for (k, s) in self.size.iter().enumerate() {
            if let Err(m) = parse_date(&s.date) {
                p.push((format!("size[{k}].date"), m));
            }
            if !(s.assets_usd.is_finite() && s.assets_usd > 0.0) {
                p.push((format!("size[{k}].assets_usd"), "must be positive".into()));
            }
        }
        p
    }
}
