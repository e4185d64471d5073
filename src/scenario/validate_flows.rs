//! Rules for the mechanical-flow and real-money agent tables.

use super::flow_schema::*;
use super::schema::*;
use super::validate::{DAY_MINUTES, MAX_FEW, Problems};

pub(super) fn flow_agents(p: &mut Problems, s: &Scenario) {
    let a = &s.agents;
    let instrument = |p: &mut Problems, f: String, o: &Option<String>| {
        if let Some(sym) = o {
            if !s.instruments.iter().any(|i| &i.symbol == sym) {
                p.add(f, format!("unknown instrument {sym:?}"));
            }
        }
    };
    if let Some(c) = &a.vol_target {
        let f = |k: &str| format!("agents.vol_target.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_FEW.into());
        instrument(p, f("instrument"), &c.instrument);
        p.usd(f("aum_usd"), c.aum_usd);
        p.range(f("target_vol"), c.target_vol, 0.001, 2.0);
        p.non_negative(f("target_vol_dispersion"), c.target_vol_dispersion);
        if c.target_vol.is_finite() && c.target_vol_dispersion >= c.target_vol {
            p.add(
                f("target_vol_dispersion"),
                "must be smaller than target_vol (targets must stay positive)",
            );
        }
        p.positive(f("max_leverage"), c.max_leverage);
        p.at_most(f("max_leverage"), c.max_leverage, 100.0);
        p.non_negative(f("min_leverage"), c.min_leverage);
        if c.min_leverage > c.max_leverage {
            p.add(f("min_leverage"), "must not exceed max_leverage");
        }
        lambdas(p, &f("ewma_lambdas"), &c.ewma_lambdas);
        if c.lag_days == 0 || c.lag_days > 20 {
            p.add(
                f("lag_days"),
                format!("must be between 1 and 20, got {}", c.lag_days),
            );
        }
        if c.lag_days_max > 20 {
            p.add(
                f("lag_days_max"),
                format!("must be at most 20, got {}", c.lag_days_max),
            );
        }
        p.range(f("band"), c.band, 0.0, 1.0);
        p.range(f("max_daily_change"), c.max_daily_change, 0.0, 10.0);
        execution(p, &f("execution"), &c.execution, &s.calendar);
        p.latency(f("latency_us"), c.latency_us);
    }
    if let Some(c) = &a.letf {
        if c.funds.is_empty() {
            p.add("agents.letf.funds", "needs at least one fund");
        }
        p.count("agents.letf.funds", c.funds.len(), MAX_FEW as usize);
        for (k, fund) in c.funds.iter().enumerate() {
            let f = |x: &str| format!("agents.letf.funds[{k}].{x}");
            instrument(p, f("instrument"), &fund.instrument);
            if ![2, 3, -1, -2, -3].contains(&fund.leverage) {
                p.add(
                    f("leverage"),
                    format!("must be 2, 3, -1, -2 or -3, got {}", fund.leverage),
                );
            }
            p.usd(f("aum_usd"), fund.aum_usd);
            p.range(f("flow_beta"), fund.flow_beta, -100.0, 100.0);
            p.range(f("flow_noise"), fund.flow_noise, 0.0, 1.0);
        }
        execution(p, "agents.letf.execution", &c.execution, &s.calendar);
        p.latency("agents.letf.latency_us", c.latency_us);
    }
    if let Some(c) = &a.cta {
        let f = |k: &str| format!("agents.cta.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_FEW.into());
        instrument(p, f("instrument"), &c.instrument);
        p.usd(f("capital_usd"), c.capital_usd);
        p.range(f("vol_target"), c.vol_target, 0.001, 5.0);
        p.positive(f("max_leverage"), c.max_leverage);
        p.at_most(f("max_leverage"), c.max_leverage, 100.0);
        p.count(f("lookbacks"), c.lookbacks.len(), 100);
        if c.lookbacks.is_empty() || c.lookbacks.iter().any(|&h| h == 0 || h > 5000) {
            p.add(
                f("lookbacks"),
                "needs at least one lookback, each from 1 to 5000 trading days",
            );
        }
        p.range(f("lookback_dispersion"), c.lookback_dispersion, 0.0, 0.9);
        if !c.weights.is_empty() {
            if c.weights.len() != c.lookbacks.len() {
                p.add(
                    f("weights"),
                    format!(
                        "has {} weights for {} lookbacks (leave it out for equal weights)",
                        c.weights.len(),
                        c.lookbacks.len()
                    ),
                );
            }
            if c.weights.iter().any(|w| !w.is_finite() || *w < 0.0)
                || c.weights.iter().sum::<f64>() <= 0.0
            {
                p.add(
                    f("weights"),
                    "must be non-negative numbers with a positive sum",
                );
            }
        }
        lambdas(p, &f("ewma_lambda"), &[c.ewma_lambda]);
        p.range(f("band"), c.band, 0.0, 1.0);
        execution(p, &f("execution"), &c.execution, &s.calendar);
        p.latency(f("latency_us"), c.latency_us);
    }
    if let Some(c) = &a.dealer {
        let f = |k: &str| format!("agents.dealer.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_FEW.into());
        instrument(p, f("instrument"), &c.instrument);
        p.positive(f("multiplier"), c.multiplier);
        p.at_most(f("multiplier"), c.multiplier, 1e6);
        p.range(f("rate"), c.rate, -0.5, 1.0);
        p.range(f("dividend_yield"), c.dividend_yield, -0.5, 1.0);
        p.range(f("atm_vol"), c.atm_vol, 0.001, 5.0);
        p.range(f("skew"), c.skew, -20.0, 20.0);
        p.range(f("spot_beta"), c.spot_beta, -10.0, 10.0);
        p.positive(f("vol_floor"), c.vol_floor);
        p.positive(f("vol_cap"), c.vol_cap);
        p.at_most(f("vol_cap"), c.vol_cap, 5.0);
        if c.vol_floor > c.vol_cap {
            p.add(f("vol_floor"), "must not exceed vol_cap");
        }
        p.int(
            f("hedge_interval_minutes"),
            c.hedge_interval_minutes.into(),
            1,
            100_000,
        );
        p.int(
            f("check_minutes"),
            c.check_minutes.into(),
            1,
            DAY_MINUTES.into(),
        );
        p.usd(f("delta_band_usd"), c.delta_band_usd);
        p.usd_or_zero(f("min_hedge_usd"), c.min_hedge_usd);
        p.usd(f("max_order_usd"), c.max_order_usd);
        if let (Some(t), Some(close)) = (
            p.time_in_session(f("close_hedge"), &c.close_hedge, &s.calendar),
            crate::market::time::parse_hhmm(&s.calendar.close),
        ) {
            let auction = close.saturating_sub(s.calendar.closing_auction_minutes * 60);
            if t >= auction {
                p.add(
                    f("close_hedge"),
                    "must be before the closing auction starts (hedges trade in continuous trading)",
                );
            }
        }
        p.range(f("ladder_levels"), c.ladder_levels as f64, 0.0, 100.0);
        p.range(f("ladder_step"), c.ladder_step, 1e-5, 0.1);
        p.positive(f("strike_step"), c.strike_step);
        p.at_most(f("strike_step"), c.strike_step, 1e9);
        if c.settlement == SettlementCfg::Physical {
            // Exercise delivers at the strike, which must be a price the book can hold.
            let ins = match &c.instrument {
                Some(sym) => s.instruments.iter().find(|i| &i.symbol == sym),
                None => s.instruments.first(),
            };
            if let Some(tick) = ins.map(|i| i.tick_size).filter(|t| *t > 0.0) {
                let ticks = c.strike_step / tick;
                if ticks.is_finite() && (ticks - ticks.round()).abs() > 1e-9 * ticks.max(1.0) {
                    p.add(
                        f("strike_step"),
                        format!(
                            "must be a whole number of ticks ({tick}) with physical settlement (delivery is at the strike), got {}",
                            c.strike_step
                        ),
                    );
                }
            }
        }
        if c.hedge_to_payoff && c.settlement != SettlementCfg::Physical {
            p.add(
                f("hedge_to_payoff"),
                "needs settlement = \"physical\" (cash-settled, the expiring hedge is lifted market-on-close)",
            );
        }
        p.latency(f("latency_us"), c.latency_us);
        p.range(
            f("put_monetisation_per_pct"),
            c.put_monetisation_per_pct,
            0.0,
            1.0,
        );
        if c.series.is_empty() {
            p.add(f("series"), "needs at least one options series");
        }
        p.count(f("series"), c.series.len(), 1000);
        for (k, sr) in c.series.iter().enumerate() {
            let g = |x: &str| format!("agents.dealer.series[{k}].{x}");
            p.range(g("moneyness"), sr.moneyness, 0.05, 20.0);
            p.range(g("contracts"), sr.contracts, -1e9, 1e9);
            if sr.expiry_days > 2520 {
                p.add(g("expiry_days"), "must be at most 2520 trading days");
            }
            if sr.expiry_days == 0 && sr.first_expiry_days.is_some() {
                p.add(
                    g("first_expiry_days"),
                    "does not apply to same-day (expiry_days = 0) series",
                );
            }
            if sr.expiry_days == 0 && !sr.roll {
                p.add(
                    g("roll"),
                    "a same-day (expiry_days = 0) series is listed every morning: roll = false does not apply",
                );
            }
            if sr.first_expiry_days == Some(0) {
                p.add(g("first_expiry_days"), "must be at least 1");
            }
        }
    }
    if let Some(c) = &a.short_seller {
        let f = |k: &str| format!("agents.short_seller.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_FEW.into());
        instrument(p, f("instrument"), &c.instrument);
        p.range(f("entry_threshold"), c.entry_threshold, 0.0, 10.0);
        p.int(
            f("trend_lookback_days"),
            c.trend_lookback_days.into(),
            1,
            5000,
        );
        p.int(f("cooldown_days"), c.cooldown_days.into(), 0, 5000);
        p.usd(f("position_usd"), c.position_usd);
        p.usd_or_zero(f("initial_short_usd"), c.initial_short_usd);
        p.range(f("stop_loss"), c.stop_loss, 0.001, 10.0);
        p.range(f("stop_dispersion"), c.stop_dispersion, 0.0, 10.0);
        if c.stop_dispersion >= c.stop_loss {
            p.add(f("stop_dispersion"), "must be smaller than stop_loss");
        }
        p.range(f("profit_target"), c.profit_target, 0.001, 0.99);
        p.range(f("initial_margin"), c.initial_margin, 1.0, 10.0);
        p.range(f("maintenance_margin"), c.maintenance_margin, 0.0, 5.0);
        // A new short has equity/short value = initial − 1; at or below maintenance it would be
        // margin-called at its first check.
        if c.initial_margin - 1.0 <= c.maintenance_margin {
            p.add(
                f("initial_margin"),
                format!(
                    "leaves no margin above maintenance: initial_margin − 1 ({:.3}) must exceed maintenance_margin ({})",
                    c.initial_margin - 1.0,
                    c.maintenance_margin
                ),
            );
        }
        p.int(
            f("check_minutes"),
            c.check_minutes.into(),
            1,
            DAY_MINUTES.into(),
        );
        execution(p, &f("execution"), &c.execution, &s.calendar);
        p.latency(f("latency_us"), c.latency_us);
    }
    if let Some(c) = &a.hedger {
        let f = |k: &str| format!("agents.hedger.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_FEW.into());
        instrument(p, f("instrument"), &c.instrument);
        p.usd(f("portfolio_usd"), c.portfolio_usd);
        p.range(f("hedge_ratio"), c.hedge_ratio, 0.0, 2.0);
        p.range(f("max_hedge_ratio"), c.max_hedge_ratio, 0.0, 2.0);
        p.positive(f("vol_ref"), c.vol_ref);
        p.at_most(f("vol_ref"), c.vol_ref, 5.0);
        p.range(f("vol_sensitivity"), c.vol_sensitivity, 0.0, 10.0);
        lambdas(p, &f("ewma_lambda"), &[c.ewma_lambda]);
        p.range(f("unwind_rally"), c.unwind_rally, 0.0, 10.0);
        p.int(
            f("rally_lookback_days"),
            c.rally_lookback_days.into(),
            1,
            5000,
        );
        p.range(f("band"), c.band, 0.0, 1.0);
        execution(p, &f("execution"), &c.execution, &s.calendar);
        p.latency(f("latency_us"), c.latency_us);
    }
    if let Some(c) = &a.pension {
        let f = |k: &str| format!("agents.pension.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_FEW.into());
        instrument(p, f("instrument"), &c.instrument);
        p.usd(f("aum_usd"), c.aum_usd);
        p.range(f("equity_weight"), c.equity_weight, 0.0, 1.0);
        p.range(f("bond_return_annual"), c.bond_return_annual, -0.5, 0.5);
        p.int(
            f("rebalance_every_days"),
            c.rebalance_every_days.into(),
            1,
            5000,
        );
        p.range(f("drift_band"), c.drift_band, 0.0, 1.0);
        execution(p, &f("execution"), &c.execution, &s.calendar);
        p.latency(f("latency_us"), c.latency_us);
    }
    if let Some(c) = &a.long_term {
        let f = |k: &str| format!("agents.long_term.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_FEW.into());
        instrument(p, f("instrument"), &c.instrument);
        p.usd(f("aum_usd"), c.aum_usd);
        p.range(f("base_weight"), c.base_weight, 0.0, 2.0);
        p.range(f("max_weight"), c.max_weight, 0.0, 2.0);
        p.range(f("value_sensitivity"), c.value_sensitivity, 0.0, 100.0);
        p.positive(f("value_half_life_days"), c.value_half_life_days);
        p.at_most(f("value_half_life_days"), c.value_half_life_days, 10_000.0);
        p.range(f("value_premium"), c.value_premium, -0.9, 10.0);
        p.range(f("flow_sensitivity"), c.flow_sensitivity, -100.0, 100.0);
        p.range(f("max_daily_trade"), c.max_daily_trade, 0.0, 1.0);
        execution(p, &f("execution"), &c.execution, &s.calendar);
        p.latency(f("latency_us"), c.latency_us);
    }
}

fn lambdas(p: &mut Problems, f: &str, ls: &[f64]) {
    if ls.is_empty() {
        p.add(f, "needs at least one λ");
    }
    p.count(f, ls.len(), 100);
    for &l in ls {
        if p.finite(f, l) && !(l > 0.0 && l < 1.0) {
            p.add(f, format!("λ must be strictly between 0 and 1, got {l}"));
        }
    }
}

fn execution(p: &mut Problems, f: &str, e: &ExecutionCfg, cal: &CalendarCfg) {
    let start = p.time_in_session(format!("{f}.start"), &e.start, cal);
    if matches!(e.style, ExecStyle::Twap | ExecStyle::Passive) {
        let end = p.time_in_session(format!("{f}.end"), &e.end, cal);
        if e.slices == 0 {
            p.add(format!("{f}.slices"), "must be at least 1");
        }
        if let (Some(a), Some(b)) = (start, end) {
            if b <= a {
                p.add(format!("{f}.end"), "must be after start");
            } else if e.slices > 0 && (b - a) / e.slices < 1 {
                // Slices closer than a second would resend what is still in flight.
                p.add(
                    format!("{f}.slices"),
                    format!(
                        "{} slices over {} s are less than a second apart",
                        e.slices,
                        b - a
                    ),
                );
            }
        }
    }
}
