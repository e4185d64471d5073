//! Intraday statistics of a sweep's runs, computed from each run folder's bars: the
//! intraday-momentum regression (last 30 minutes on the rest of the day, docs/model.md §8.4),
//! realised intraday volatility, and, for an instrument with options dealers, pinning of the
//! closes at strikes on the expiry days of the dealers' largest series (§4.4).
//!
//! One run's days are too few for a significant slope, so [`pooled`] also combines the runs of
//! one sweep point (its seeds) into one regression over all their days.

use crate::analysis::momentum::{
    IntradayMomentum, Ols, intraday_momentum, intraday_volatility, window_bars,
};
use crate::analysis::pinning::{Pinning, expiry_days, pinning};
use crate::record::BarRow;
use crate::scenario::Scenario;

/// One instrument of one run.
#[derive(Clone, Debug)]
pub struct Intraday {
    pub momentum: IntradayMomentum,
    /// Annualised realised volatility within the sessions.
    pub vol: f64,
    /// `None` when no dealer trades this instrument.
    pub pin: Option<Pinning>,
}

/// How pinning is measured on an instrument of a scenario: strikes every `step`, on `days`.
#[derive(Clone, Debug, PartialEq)]
pub struct PinSpec {
    pub step: f64,
    pub tick: f64,
    pub days: Vec<u32>,
}

/// Pinning on `symbol` in `s`: its dealers' strike step, and the expiry days (within the run)
/// of the series holding the most contracts, the "large strike" (the first on a tie): only
/// its first expiry when the dealers do not relist it (`roll = false`). `None` if no dealers
/// trade `symbol`.
pub fn pin_spec(s: &Scenario, symbol: &str) -> Option<PinSpec> {
    let d = s.agents.dealer.as_ref().filter(|d| d.count > 0)?;
    let first = &s.instruments.first()?.symbol;
    if d.instrument.as_ref().unwrap_or(first) != symbol {
        return None;
    }
    let tick = s.instruments.iter().find(|i| i.symbol == symbol)?.tick_size;
    let big = d.series.iter().reduce(|a, b| {
        if b.contracts.abs() > a.contracts.abs() {
            b
        } else {
            a
        }
    })?;
    let first_expiry = big.first_expiry_days.unwrap_or(big.expiry_days);
    let mut days = expiry_days(big.expiry_days, first_expiry, s.days);
    if !big.roll {
        // The series listed before the run expires once. (A same-day series is listed only
        // by relisting each morning, so without rolling there is none; validation refuses
        // that combination.)
        days.truncate(if big.expiry_days == 0 { 0 } else { 1 });
    }
    Some(PinSpec {
        step: d.strike_step,
        tick,
        days,
    })
}

/// The statistics of instrument `index` (named `symbol`) in a run of `s`, from its bars.
pub fn of_run(s: &Scenario, bars: &[BarRow], index: u16, symbol: &str) -> Intraday {
    Intraday {
        momentum: intraday_momentum(bars, index, window_bars(s.calendar.bar_seconds)),
        vol: intraday_volatility(bars, index),
        pin: pin_spec(s, symbol).map(|p| pinning(bars, index, p.step, p.tick, Some(&p.days))),
    }
}

/// Several runs of one point together.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pooled {
    pub runs: usize,
    /// The regression over all the runs' days.
    pub fit: Ols,
    /// Mean of the runs' intraday volatilities.
    pub vol: f64,
    /// Pinning over all the runs' expiry days (means weighted by days); `None` without dealers.
    pub pin: Option<Pinning>,
}

pub fn pooled(runs: &[&Intraday]) -> Pooled {
    if runs.is_empty() {
        return Pooled::default();
    }
    let pins: Vec<Pinning> = runs.iter().filter_map(|r| r.pin).collect();
    let pin = (!pins.is_empty()).then(|| {
        let days: usize = pins.iter().map(|p| p.days).sum();
        let mean = |f: fn(&Pinning) -> f64| {
            if days == 0 {
                0.0
            } else {
                pins.iter().map(|p| f(p) * p.days as f64).sum::<f64>() / days as f64
            }
        };
        Pinning {
            days,
            grid_distance: mean(|p| p.grid_distance),
            share_near: mean(|p| p.share_near),
            open_strike_ticks: mean(|p| p.open_strike_ticks),
        }
    });
    Pooled {
        runs: runs.len(),
        fit: IntradayMomentum::pooled(runs.iter().map(|r| &r.momentum)),
        vol: runs.iter().map(|r| r.vol).sum::<f64>() / runs.len() as f64,
        pin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DealerCfg, OptionKindCfg, SeriesCfg};

    fn scenario(dealer: Option<DealerCfg>) -> Scenario {
        let text = r#"
            name = "t"
            days = 30
            [calendar]
            bar_seconds = 60
            [[instruments]]
            symbol = "SPX"
            initial_price = 5000.0
            tick_size = 0.25
            notional_per_unit = 50.0
            [[instruments]]
            symbol = "NDX"
            initial_price = 18000.0
            tick_size = 0.25
            notional_per_unit = 20.0
            [agents]
        "#;
        let mut s: Scenario = toml::from_str(text).unwrap();
        s.agents.dealer = dealer;
        s
    }

    fn series(expiry_days: u32, contracts: f64) -> SeriesCfg {
        SeriesCfg {
            kind: OptionKindCfg::Call,
            moneyness: 1.0,
            expiry_days,
            contracts,
            first_expiry_days: None,
            roll: true,
        }
    }

    /// The largest series (by |contracts|, short or long) sets the expiry days; the dealers'
    /// instrument defaults to the first; no dealers, no pinning.
    #[test]
    fn pin_spec_follows_the_largest_series_of_the_dealers_instrument() {
        let mut d = DealerCfg {
            strike_step: 25.0,
            series: vec![series(21, 1000.0), series(5, -200_000.0), series(0, 5.0)],
            ..DealerCfg::default()
        };
        let s = scenario(Some(d.clone()));
        let p = pin_spec(&s, "SPX").unwrap();
        assert_eq!((p.step, p.tick), (25.0, 0.25));
        assert_eq!(p.days, [5, 10, 15, 20, 25, 30]);
        assert_eq!(pin_spec(&s, "NDX"), None);
        d.series[2].contracts = -300_000.0;
        d.instrument = Some("NDX".into());
        let s = scenario(Some(d.clone()));
        assert_eq!(
            pin_spec(&s, "NDX").unwrap().days,
            (1..=30).collect::<Vec<_>>()
        );
        assert_eq!(pin_spec(&s, "SPX"), None);
        d.count = 0;
        assert_eq!(pin_spec(&scenario(Some(d)), "NDX"), None);
        assert_eq!(pin_spec(&scenario(None), "SPX"), None);
    }

    /// A series the dealers do not relist expires once: its first expiry, if within the run.
    #[test]
    fn pin_spec_without_rolling_counts_only_the_first_expiry() {
        let mut big = series(5, -200_000.0);
        big.roll = false;
        let mut d = DealerCfg {
            strike_step: 25.0,
            series: vec![series(21, 1000.0), big],
            ..DealerCfg::default()
        };
        assert_eq!(
            pin_spec(&scenario(Some(d.clone())), "SPX").unwrap().days,
            [5]
        );
        d.series[1].first_expiry_days = Some(3);
        assert_eq!(
            pin_spec(&scenario(Some(d.clone())), "SPX").unwrap().days,
            [3]
        );
        // Listed to expire after the run ends: no expiry day in the run.
        d.series[1].first_expiry_days = Some(40);
        assert!(
            pin_spec(&scenario(Some(d.clone())), "SPX")
                .unwrap()
                .days
                .is_empty()
        );
        // Rolling, the same series expires every 5 days from its first expiry.
        d.series[1].first_expiry_days = Some(3);
        d.series[1].roll = true;
        assert_eq!(
            pin_spec(&scenario(Some(d)), "SPX").unwrap().days,
            [3, 8, 13, 18, 23, 28]
        );
    }

    /// Pinning pools by days: 2 days at distance 0.1 and 6 at 0.3 average to 0.25.
    #[test]
    fn pooling_weights_pinning_by_days() {
        let run = |days, d| Intraday {
            momentum: IntradayMomentum::default(),
            vol: d,
            pin: Some(Pinning {
                days,
                grid_distance: d,
                share_near: 0.0,
                open_strike_ticks: 10.0,
            }),
        };
        let (a, b) = (run(2, 0.1), run(6, 0.3));
        let p = pooled(&[&a, &b]);
        assert_eq!(p.runs, 2);
        let pin = p.pin.unwrap();
        assert_eq!(pin.days, 8);
        assert!((pin.grid_distance - 0.25).abs() < 1e-12);
        assert!((pin.open_strike_ticks - 10.0).abs() < 1e-12);
        assert!(
            (p.vol - 0.2).abs() < 1e-12,
            "vol is the plain mean over runs"
        );
        assert_eq!(pooled(&[]), Pooled::default());
    }
}
