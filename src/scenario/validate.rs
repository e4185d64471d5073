//! The rules of a scenario that types cannot express. Each problem is (field path, message).

use super::schema::*;
use crate::market::time::parse_hhmm;

pub(crate) fn validate(s: &Scenario) -> Vec<(String, String)> {
    let mut p = Problems(Vec::new());
    if s.name.trim().is_empty() {
        p.add("name", "must not be empty");
    }
    if s.days == 0 {
        p.add("days", "must be at least 1");
    }
    if s.days > 100_000 {
        p.add("days", "must be at most 100000");
    }
    calendar(&mut p, &s.calendar);
    if s.instruments.is_empty() {
        p.add(
            "instruments",
            "at least one [[instruments]] table is required",
        );
    }
    if s.instruments.len() > MAX_INSTRUMENTS {
        p.add(
            "instruments",
            format!(
                "at most {MAX_INSTRUMENTS} instruments, got {}",
                s.instruments.len()
            ),
        );
    }
    for (i, ins) in s.instruments.iter().enumerate() {
        let f = |k: &str| format!("instruments[{i}].{k}");
        if ins.symbol.trim().is_empty() {
            p.add(f("symbol"), "must not be empty");
        }
        if s.instruments[..i].iter().any(|o| o.symbol == ins.symbol) {
            p.add(f("symbol"), format!("duplicate symbol {:?}", ins.symbol));
        }
        p.positive(f("initial_price"), ins.initial_price);
        p.positive(f("tick_size"), ins.tick_size);
        p.at_most(f("tick_size"), ins.tick_size, 1e6);
        p.positive(f("notional_per_unit"), ins.notional_per_unit);
        p.at_most(f("notional_per_unit"), ins.notional_per_unit, 1e6);
        if ins.initial_price.is_finite() && ins.tick_size.is_finite() && ins.tick_size > 0.0 {
            let ticks = ins.initial_price / ins.tick_size;
            if ticks < 10.0 {
                p.add(f("initial_price"), "must be at least 10 ticks");
            } else if ticks > 1e9 {
                p.add(
                    f("initial_price"),
                    "is more than 1e9 ticks: use a larger tick_size",
                );
            } else if (ticks - ticks.round()).abs() > 1e-6 {
                // Prices are whole ticks; rounding it silently would start elsewhere.
                p.add(
                    f("initial_price"),
                    format!(
                        "must be a whole number of ticks ({}), got {} ({ticks:.4} ticks)",
                        ins.tick_size, ins.initial_price
                    ),
                );
            }
        }
        let cents = ins.tick_size * ins.notional_per_unit * 100.0;
        if cents.is_finite()
            && cents > 0.0
            && ((cents - cents.round()).abs() > 1e-6 * cents.max(1.0) || cents.round() < 1.0)
        {
            p.add(
                f("notional_per_unit"),
                format!("tick_size × notional_per_unit must be a whole number of cents (cash is exact), got ${:.6}", cents / 100.0),
            );
        }
        p.range(f("annual_vol"), ins.annual_vol, 0.0, 5.0);
        p.range(f("factor_loading"), ins.factor_loading, -1.0, 1.0);
        p.range(f("overnight_share"), ins.overnight_share, 0.0, 1.0);
        p.range(f("jumps_per_year"), ins.jumps_per_year, 0.0, 1000.0);
        p.range(f("jump_mean"), ins.jump_mean, -5.0, 5.0);
        p.range(f("jump_sd"), ins.jump_sd, 0.0, 5.0);
        p.range(f("vol_of_vol"), ins.vol_of_vol, 0.0, 2.0);
        p.range(f("vol_leverage"), ins.vol_leverage, -1.0, 1.0);
        // Below 2.5 degrees of freedom nearly all the variance sits in a few rare bursts (at 2
        // it is infinite), so a run would be a handful of huge jumps.
        p.zero_or_range(f("burst_nu"), ins.burst_nu, 2.5, 1000.0, "no bursts");
        // The length only matters with bursts on: a step that does not divide the default 60 s
        // must not refuse a scenario that never asked for bursts.
        let step = s.market.fundamental_step_seconds;
        if ins.burst_nu != 0.0
            && step > 0
            && (ins.burst_seconds == 0 || ins.burst_seconds % step != 0)
        {
            p.add(
                f("burst_seconds"),
                format!(
                    "must be a positive multiple of market.fundamental_step_seconds ({step}), got {}",
                    ins.burst_seconds
                ),
            );
        }
        p.positive(f("liquidity_scale"), ins.liquidity_scale);
        p.at_most(f("liquidity_scale"), ins.liquidity_scale, 1000.0);
        p.positive(f("vol_half_life_days"), ins.vol_half_life_days);
        p.at_most(f("vol_half_life_days"), ins.vol_half_life_days, 10_000.0);
        if ins.fundamental_closes.len() > s.days as usize {
            p.add(
                f("fundamental_closes"),
                format!(
                    "has {} closes for a run of {} days",
                    ins.fundamental_closes.len(),
                    s.days
                ),
            );
        }
        if let Some(k) = ins
            .fundamental_closes
            .iter()
            .position(|v| !(v.is_finite() && *v > 0.0))
        {
            p.add(
                f("fundamental_closes"),
                format!(
                    "close {} (day {}) is {}: closes must be positive and finite",
                    k,
                    k + 1,
                    ins.fundamental_closes[k]
                ),
            );
        }
    }
    if let Some(start) = &s.start_date {
        match crate::history::parse_date(start) {
            Err(problem) => p.add("start_date", problem),
            Ok(d) if !(1900..=2200).contains(&chrono::Datelike::year(&d)) => {
                p.add("start_date", "must be a date between 1900 and 2200")
            }
            Ok(_) if !matches!(s.prehistory, PrehistoryCfg::Synthetic { .. }) => p.add(
                "start_date",
                "a run after a dated pre-history starts on the trading day after its last \
                 date: leave start_date out (or end the pre-history with `until`)",
            ),
            Ok(_) => {}
        }
    }
    match &s.prehistory {
        PrehistoryCfg::Synthetic { days, annual_drift } => {
            if *days > 5000 {
                p.add("prehistory.days", "must be at most 5000");
            }
            p.range("prehistory.annual_drift", *annual_drift, -2.0, 2.0);
        }
        PrehistoryCfg::Csv { file, until } => {
            if file.trim().is_empty() {
                p.add("prehistory.file", "must name a CSV file")
            }
            until_date(&mut p, until);
        }
        PrehistoryCfg::History {
            files,
            until,
            days,
            close_column,
        } => {
            for ins in &s.instruments {
                if !files.contains_key(&ins.symbol) {
                    p.add(
                        "prehistory.files",
                        format!("names no history file for instrument {:?}", ins.symbol),
                    );
                }
            }
            for (sym, file) in files {
                if !s.instruments.iter().any(|i| &i.symbol == sym) {
                    p.add(
                        format!("prehistory.files.{sym}"),
                        format!("unknown instrument {sym:?}"),
                    );
                } else if file.trim().is_empty() {
                    p.add(format!("prehistory.files.{sym}"), "must name a CSV file");
                }
            }
            if *days == 1 {
                p.add("prehistory.days", "must be 0 (all) or at least 2");
            }
            if close_column.trim().is_empty() {
                p.add("prehistory.close_column", "must name a column");
            }
            until_date(&mut p, until);
        }
    }
    market(&mut p, &s.market, s);
    let symbol_known = |sym: &str| s.instruments.iter().any(|i| i.symbol == sym);
    for (i, sh) in s.shocks.iter().enumerate() {
        let f = |k: &str| format!("shocks[{i}].{k}");
        p.day(f("day"), sh.day, s.days);
        p.time_in_session(f("time"), &sh.time, &s.calendar);
        if !symbol_known(&sh.instrument) {
            p.add(
                f("instrument"),
                format!("unknown instrument {:?}", sh.instrument),
            );
        }
        p.range(f("fundamental_jump"), sh.fundamental_jump, -5.0, 5.0);
    }
    p.count("shocks", s.shocks.len(), MAX_SCHEDULED);
    p.count("flows", s.flows.len(), MAX_SCHEDULED);
    for (i, fl) in s.flows.iter().enumerate() {
        let f = |k: &str| format!("flows[{i}].{k}");
        p.day(f("day"), fl.day, s.days);
        let a = p.time_in_session(f("start"), &fl.start, &s.calendar);
        let b = p.time_in_session(f("end"), &fl.end, &s.calendar);
        if let (Some(a), Some(b)) = (a, b) {
            if b <= a {
                p.add(f("end"), "must be after start");
            }
        }
        if !symbol_known(&fl.instrument) {
            p.add(
                f("instrument"),
                format!("unknown instrument {:?}", fl.instrument),
            );
        }
        p.usd(f("usd"), fl.usd);
    }
    agents(&mut p, s);
    super::validate_flows::flow_agents(&mut p, s);
    p.0
}

/// The documented ranges (README.md, "Ranges"): the limits that are the same for many fields.
pub(super) const MAX_INSTRUMENTS: usize = 100;
/// `[[shocks]]` and `[[flows]]` tables, each.
pub(super) const MAX_SCHEDULED: usize = 10_000;
/// Agents of one background class per instrument (noise, value traders).
pub(super) const MAX_CROWD: u32 = 100_000;
/// Market makers per instrument, and agents of one mechanical-flow or real-money class.
pub(super) const MAX_FEW: u32 = 10_000;
/// Arrivals per agent per day (noise orders, value decisions): one every ~0.2 s of a session.
pub(super) const MAX_PER_DAY: f64 = 100_000.0;
/// Agents of a run in all.
pub(super) const MAX_AGENTS: u64 = 1_000_000;
/// Minutes in a day: the longest any duration within a day may be.
pub(super) const DAY_MINUTES: u32 = 1440;

pub(super) struct Problems(Vec<(String, String)>);

impl Problems {
    /// A number at most `hi` (finite numbers only; `finite`/`positive` report the others).
    pub(super) fn at_most(&mut self, f: impl Into<String>, v: f64, hi: f64) {
        if v.is_finite() && v > hi {
            self.add(f, format!("must be at most {hi}, got {v:e}"));
        }
    }
    /// A whole number from `lo` to `hi`.
    pub(super) fn int(&mut self, f: impl Into<String>, v: u64, lo: u64, hi: u64) {
        if !(lo..=hi).contains(&v) {
            self.add(f, format!("must be between {lo} and {hi}, got {v}"));
        }
    }
    /// The length of a list: at most `hi` entries.
    pub(super) fn count(&mut self, f: impl Into<String>, n: usize, hi: usize) {
        if n > hi {
            self.add(f, format!("must have at most {hi} entries, got {n}"));
        }
    }
    /// An agent's latency: well below a second, since execution slices are at least a second
    /// apart.
    pub(super) fn latency(&mut self, f: impl Into<String>, us: u64) {
        if us > 500_000 {
            self.add(f, format!("must be at most 500000 µs (0.5 s), got {us}"));
        }
    }
    pub(super) fn add(&mut self, field: impl Into<String>, msg: impl Into<String>) {
        self.0.push((field.into(), msg.into()));
    }
    pub(super) fn finite(&mut self, f: impl Into<String>, v: f64) -> bool {
        if v.is_finite() {
            true
        } else {
            self.add(f, format!("must be a finite number, got {v}"));
            false
        }
    }
    pub(super) fn positive(&mut self, f: impl Into<String>, v: f64) {
        let f = f.into();
        if self.finite(f.clone(), v) && v <= 0.0 {
            self.add(f, format!("must be positive, got {v}"));
        }
    }
    /// A dollar size: positive and at most $1 quadrillion (so units and their sums fit in i64).
    pub(super) fn usd(&mut self, f: impl Into<String>, v: f64) {
        let f = f.into();
        self.positive(f.clone(), v);
        self.at_most_1e15(f, v);
    }
    pub(super) fn usd_or_zero(&mut self, f: impl Into<String>, v: f64) {
        let f = f.into();
        self.non_negative(f.clone(), v);
        self.at_most_1e15(f, v);
    }
    fn at_most_1e15(&mut self, f: String, v: f64) {
        if v.is_finite() && v > 1e15 {
            self.add(f, format!("must be at most 1e15 dollars, got {v:e}"));
        }
    }
    pub(super) fn non_negative(&mut self, f: impl Into<String>, v: f64) {
        let f = f.into();
        if self.finite(f.clone(), v) && v < 0.0 {
            self.add(f, format!("must not be negative, got {v}"));
        }
    }
    pub(super) fn range(&mut self, f: impl Into<String>, v: f64, lo: f64, hi: f64) {
        let f = f.into();
        if self.finite(f.clone(), v) && !(lo..=hi).contains(&v) {
            self.add(f, format!("must be between {lo} and {hi}, got {v}"));
        }
    }
    /// An option that is off at 0 and otherwise must lie in [lo, hi].
    pub(super) fn zero_or_range(
        &mut self,
        f: impl Into<String>,
        v: f64,
        lo: f64,
        hi: f64,
        off: &str,
    ) {
        let f = f.into();
        if self.finite(f.clone(), v) && v != 0.0 && !(lo..=hi).contains(&v) {
            self.add(
                f,
                format!("must be 0 ({off}) or between {lo} and {hi}, got {v}"),
            );
        }
    }
    pub(super) fn day(&mut self, f: String, day: u32, days: u32) {
        if day == 0 || day > days {
            self.add(
                f,
                format!("must be a trading day from 1 to {days}, got {day}"),
            );
        }
    }
    pub(super) fn time(&mut self, f: String, t: &str) -> Option<u32> {
        match parse_hhmm(t) {
            Some(s) => Some(s),
            None => {
                self.add(f, format!("must be a time of day \"HH:MM\", got {t:?}"));
                None
            }
        }
    }
    pub(super) fn time_in_session(&mut self, f: String, t: &str, cal: &CalendarCfg) -> Option<u32> {
        let secs = self.time(f.clone(), t)?;
        let (open, close) = (parse_hhmm(&cal.open)?, parse_hhmm(&cal.close)?);
        if secs < open || secs > close {
            self.add(
                f,
                format!("{t} is outside the session {}–{}", cal.open, cal.close),
            );
            return None;
        }
        Some(secs)
    }
}

fn calendar(p: &mut Problems, c: &CalendarCfg) {
    let open = p.time("calendar.open".into(), &c.open);
    let close = p.time("calendar.close".into(), &c.close);
    if let (Some(o), Some(cl)) = (open, close) {
        if cl <= o {
            p.add(
                "calendar.close",
                format!("must be after the open ({})", c.open),
            );
            return;
        }
        // In u64: minutes up to u32::MAX would wrap in 32-bit seconds.
        let session = u64::from(cl - o);
        if u64::from(c.closing_auction_minutes) * 60 >= session {
            p.add(
                "calendar.closing_auction_minutes",
                "leaves no continuous session: it must be shorter than open to close",
            );
        }
        if u64::from(c.preopen_minutes) * 60 > u64::from(o) {
            p.add(
                "calendar.preopen_minutes",
                "starts the pre-open before midnight",
            );
        }
    }
    if c.preopen_minutes > DAY_MINUTES {
        p.add(
            "calendar.preopen_minutes",
            format!("must be at most {DAY_MINUTES}, got {}", c.preopen_minutes),
        );
    }
    if c.closing_auction_minutes > DAY_MINUTES {
        p.add(
            "calendar.closing_auction_minutes",
            format!(
                "must be at most {DAY_MINUTES}, got {}",
                c.closing_auction_minutes
            ),
        );
    }
    if c.bar_seconds == 0 || 86_400 % c.bar_seconds != 0 {
        p.add(
            "calendar.bar_seconds",
            "must be positive and divide a day evenly (e.g. 60)",
        );
    }
}

fn market(p: &mut Problems, m: &MarketCfg, s: &Scenario) {
    let b = &m.circuit_breakers;
    for (i, l) in b.levels.iter().enumerate() {
        p.range(
            format!("market.circuit_breakers.levels[{i}]"),
            *l,
            0.0001,
            0.99,
        );
    }
    if b.levels.windows(2).any(|w| w[1] <= w[0]) {
        p.add(
            "market.circuit_breakers.levels",
            "must be strictly increasing",
        );
    }
    if b.enabled && b.levels.is_empty() {
        p.add(
            "market.circuit_breakers.levels",
            "needs at least one level when enabled",
        );
    }
    p.time(
        "market.circuit_breakers.no_halt_after".into(),
        &b.no_halt_after,
    );
    if b.halt_minutes == 0 || b.halt_minutes > 240 {
        p.add(
            "market.circuit_breakers.halt_minutes",
            format!("must be between 1 and 240, got {}", b.halt_minutes),
        );
    }
    if let Some(r) = &b.reference {
        if !s.instruments.iter().any(|i| &i.symbol == r) {
            p.add(
                "market.circuit_breakers.reference",
                format!("unknown instrument {r:?}"),
            );
        }
    }
    p.range("market.borrow_fee_annual", m.borrow_fee_annual, 0.0, 1.0);
    if p.finite("market.ewma_lambda", m.ewma_lambda)
        && !(m.ewma_lambda > 0.0 && m.ewma_lambda < 1.0)
    {
        p.add("market.ewma_lambda", "must be strictly between 0 and 1");
    }
    p.int(
        "market.fundamental_step_seconds",
        m.fundamental_step_seconds.into(),
        1,
        86_400,
    );
}

fn agents(p: &mut Problems, s: &Scenario) {
    use crate::agents::AgentClass;
    let a = &s.agents;
    // Scheduled flows (`[[flows]]`) are not agents a market can run on.
    let any = AgentClass::ALL
        .into_iter()
        .any(|c| c != AgentClass::Exogenous && super::ablate::has(s, c));
    if !any {
        p.add(
            "agents",
            "the scenario has no agents: add at least one [agents.<kind>] table with count > 0",
        );
    }
    for (k, name) in a.static_holders.iter().enumerate() {
        let f = format!("agents.static_holders[{k}]");
        match super::ablate::parse_classes(name) {
            Err(e) => p.add(f, e),
            Ok(classes) => {
                for c in classes {
                    if !AgentClass::MECHANICAL.contains(&c) && c != AgentClass::RealMoney {
                        p.add(
                            f.clone(),
                            format!(
                                "{} cannot be held static: only the mechanical classes and \
                                 real money start with positions",
                                c.as_str()
                            ),
                        );
                    }
                }
            }
        }
    }
    let total = s.agents_total();
    if total > MAX_AGENTS {
        p.add(
            "agents",
            format!(
                "{total} agents in all (market makers, noise and value traders count once per \
                 instrument): at most {MAX_AGENTS}"
            ),
        );
    }
    if let Some(c) = &a.market_maker {
        let f = |k: &str| format!("agents.market_maker.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_FEW.into());
        p.usd(f("quote_usd"), c.quote_usd);
        p.int(f("layers"), c.layers.into(), 1, 100);
        p.range(
            f("min_half_spread_ticks"),
            c.min_half_spread_ticks,
            0.5,
            10_000.0,
        );
        p.range(f("vol_spread_mult"), c.vol_spread_mult, 0.0, 1000.0);
        p.usd(f("inventory_limit_usd"), c.inventory_limit_usd);
        p.range(
            f("skew_ticks_at_limit"),
            c.skew_ticks_at_limit,
            0.0,
            10_000.0,
        );
        p.range(f("requote_seconds"), c.requote_seconds, 0.01, 86_400.0);
        if p.finite(f("withdraw_move"), c.withdraw_move)
            && !(c.withdraw_move > 0.0 && c.withdraw_move <= 1.0)
        {
            p.add(
                f("withdraw_move"),
                format!("must be in (0, 1], got {}", c.withdraw_move),
            );
        }
        p.int(
            f("withdraw_window_minutes"),
            c.withdraw_window_minutes.into(),
            0,
            DAY_MINUTES.into(),
        );
        p.int(
            f("withdraw_minutes"),
            c.withdraw_minutes.into(),
            0,
            DAY_MINUTES.into(),
        );
        p.latency(f("latency_us"), c.latency_us);
    }
    if let Some(c) = &a.noise {
        let f = |k: &str| format!("agents.noise.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_CROWD.into());
        p.positive(f("orders_per_day"), c.orders_per_day);
        p.at_most(f("orders_per_day"), c.orders_per_day, MAX_PER_DAY);
        p.range(f("market_share"), c.market_share, 0.0, 1.0);
        p.usd(f("order_usd"), c.order_usd);
        p.range(f("offset_ticks_mean"), c.offset_ticks_mean, 0.0, 10_000.0);
        p.positive(f("lifetime_minutes"), c.lifetime_minutes);
        p.at_most(f("lifetime_minutes"), c.lifetime_minutes, 100_000.0);
        p.range(f("close_share"), c.close_share, 0.0, 1.0);
        p.range(f("u_shape"), c.u_shape, 1.0, 100.0);
        p.range(f("activity_feedback"), c.activity_feedback, 0.0, 10.0);
        p.range(
            f("inventory_horizon_minutes"),
            c.inventory_horizon_minutes,
            0.0,
            100_000.0,
        );
        p.latency(f("latency_us"), c.latency_us);
    }
    if let Some(c) = &a.value {
        let f = |k: &str| format!("agents.value.{k}");
        p.int(f("count"), c.count.into(), 0, MAX_CROWD.into());
        p.positive(f("decisions_per_day"), c.decisions_per_day);
        p.at_most(f("decisions_per_day"), c.decisions_per_day, MAX_PER_DAY);
        p.range(f("u_shape"), c.u_shape, 1.0, 100.0);
        p.range(f("estimate_noise"), c.estimate_noise, 0.0, 1.0);
        p.range(f("observation_noise"), c.observation_noise, 0.0, 1.0);
        p.range(f("threshold"), c.threshold, 0.0, 1.0);
        p.usd(f("usd_per_pct"), c.usd_per_pct);
        p.usd(f("max_position_usd"), c.max_position_usd);
        p.latency(f("latency_us"), c.latency_us);
        if p.finite(f("speed"), c.speed) && !(c.speed > 0.0 && c.speed <= 1.0) {
            p.add(f("speed"), format!("must be in (0, 1], got {}", c.speed));
        }
        p.range(f("close_speed"), c.close_speed, 0.0, 1.0);
        if c.risk_budget {
            if let Some(ins) = s.instruments.iter().find(|ins| ins.annual_vol <= 0.0) {
                p.add(
                    f("risk_budget"),
                    format!(
                        "scales depth by annual_vol / σ̂, so it needs annual_vol above 0; {} has {}",
                        ins.symbol, ins.annual_vol
                    ),
                );
            }
        }
        if c.limit == crate::scenario::ValueLimit::Latent {
            let l = &c.latent;
            let f = |k: &str| format!("agents.value.latent.{k}");
            // Each population of intentions: its depth, width and memory, in its own table.
            let population = |p: &mut Problems, table: &str, c: &LatentPopulationCfg| {
                let f = |k: &str| format!("{table}.{k}");
                p.usd(f("far_usd_per_pct"), c.far_usd_per_pct);
                p.positive(f("width"), c.width);
                p.at_most(f("width"), c.width, 0.5);
                p.positive(f("memory_days"), c.memory_days);
                p.at_most(f("memory_days"), c.memory_days, 1000.0);
            };
            population(p, "agents.value.latent", &l.slow());
            if let Some(fast) = &l.fast {
                population(p, "agents.value.latent.fast", fast);
            }
            p.int(f("reveal_ticks"), l.reveal_ticks.into(), 0, 1000);
            p.range(f("reveal_share"), l.reveal_share, 0.0, 1.0);
            p.int(
                f("close_reveal_ticks"),
                l.close_reveal_ticks.into(),
                0,
                10_000,
            );
            p.positive(f("span"), l.span);
            p.at_most(f("span"), l.span, 0.5);
            p.positive(f("evolve_seconds"), l.evolve_seconds);
            p.at_most(f("evolve_seconds"), l.evolve_seconds, 86_400.0);
            // A few dollars per 1% would throw a trader's valuation off its grid with one unit.
            p.zero_or_range(
                f("elasticity_usd_per_pct"),
                l.elasticity_usd_per_pct,
                1e6,
                1e15,
                "no lean",
            );
            // The grid has one cell per tick: keep it to a million cells a trader.
            for ins in &s.instruments {
                let cells = 2.0 * l.span * ins.initial_price / ins.tick_size;
                if cells.is_finite() && cells > 1e6 {
                    p.add(
                        f("span"),
                        format!(
                            "gives {} a grid of {cells:.0} ticks per trader (at most 1000000): \
                             narrow it or use a larger tick",
                            ins.symbol
                        ),
                    );
                }
            }
        }
        if c.close_speed > 0.0 || c.limit == crate::scenario::ValueLimit::Schedule {
            p.range(f("ladder_levels"), c.ladder_levels as f64, 1.0, 100.0);
            if p.finite(f("ladder_step"), c.ladder_step)
                && !(c.ladder_step > 0.0 && c.ladder_step <= 1.0)
            {
                p.add(
                    f("ladder_step"),
                    format!("must be in (0, 1], got {}", c.ladder_step),
                );
            }
        }
    }
}

/// `prehistory.until`, when given, is a real calendar date.
fn until_date(p: &mut Problems, until: &Option<String>) {
    if let Some(u) = until
        && let Err(problem) = crate::history::parse_date(u)
    {
        p.add("prehistory.until", problem);
    }
}
