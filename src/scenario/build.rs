//! Turning a checked scenario into a ready-to-run [`Simulation`].
//!
//! Every agent gets a ChaCha stream keyed by the master seed and selected by the agent's
//! stable id, so removing one class of agents leaves every other agent's draws unchanged.

use std::path::Path;

use chrono::NaiveDate;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use thiserror::Error;

use super::load::LoadedScenario;
use super::schema::*;
use crate::agents::latent::LatentParams;
use crate::agents::noise::NoiseParams;
use crate::agents::store::AnyAgent;
use crate::agents::{
    Agent, AgentClass, Cta, Dealer, FlowProgramme, Hedger, LeveragedEtf, LongTermManager,
    MarketMaker, NoiseTrader, OptionsCustomer, Pension, ShortSeller, ValueTrader, VolTarget,
};
use crate::book::{BookConfig, OrderBook};
use crate::history::{
    Columns, HistoryError, TradingCalendar, parse_date, read_columns, read_daily,
};
use crate::market::data::{DailyBar, InstrumentData};
use crate::market::fundamental::{FundamentalParams, Fundamentals, synthetic_history};
use crate::market::ledger::{Account, Ledger};
use crate::market::sim::{AgentSlot, Breakers, MarketSettings, Shock, Simulation};
use crate::market::time::{Calendar, MINUTE, SECOND, parse_hhmm};
use crate::scenario::{DealerCfg, SettlementCfg};

/// Streams reserved for the market's own randomness (agents use class << 32 | index).
const FUNDAMENTAL_STREAM: u64 = u64::MAX;
const PREHISTORY_STREAM: u64 = u64::MAX - 1;

#[derive(Debug, Error)]
pub enum BuildError {
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error("{file}: {message}")]
    Prehistory { file: String, message: String },
}

/// A random stream for `stream` under `seed`.
pub fn stream_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

pub fn calendar(c: &CalendarCfg, days: u32) -> Calendar {
    // Validation guarantees the times parse.
    let open = parse_hhmm(&c.open).unwrap_or(34_200) as u64 * SECOND;
    let close = parse_hhmm(&c.close).unwrap_or(57_600) as u64 * SECOND;
    Calendar {
        preopen: open - c.preopen_minutes as u64 * MINUTE,
        open,
        close_auction: close - c.closing_auction_minutes as u64 * MINUTE,
        close,
        bar: c.bar_seconds as u64 * SECOND,
        days,
    }
}

fn fundamental_params(i: &InstrumentCfg, step_seconds: u32) -> FundamentalParams {
    FundamentalParams {
        daily_vol: i.annual_vol / 252f64.sqrt(),
        factor_loading: i.factor_loading,
        overnight_share: i.overnight_share,
        jumps_per_day: i.jumps_per_year / 252.0,
        jump_mean: i.jump_mean,
        jump_sd: i.jump_sd,
        vol_of_vol: i.vol_of_vol,
        vol_half_life_days: i.vol_half_life_days,
        vol_leverage: i.vol_leverage,
        burst_nu: i.burst_nu,
        burst_steps: (i.burst_seconds / step_seconds.max(1)).max(1),
    }
}

/// Builds the simulation of `loaded` with `seed`.
pub fn build(loaded: &LoadedScenario, seed: u64) -> Result<Simulation, BuildError> {
    build_with(&loaded.scenario, loaded.base_dir(), seed, false)
}

/// Builds with invariant checks after every operation (slow; for tests).
pub fn build_checked(loaded: &LoadedScenario, seed: u64) -> Result<Simulation, BuildError> {
    build_with(&loaded.scenario, loaded.base_dir(), seed, true)
}

pub fn build_with(
    s: &Scenario,
    base_dir: &Path,
    seed: u64,
    check_invariants: bool,
) -> Result<Simulation, BuildError> {
    let cal = calendar(&s.calendar, s.days);
    let params: Vec<FundamentalParams> = s
        .instruments
        .iter()
        .map(|i| fundamental_params(i, s.market.fundamental_step_seconds))
        .collect();
    let initial: Vec<f64> = s.instruments.iter().map(|i| i.initial_price).collect();
    let closes = match &s.prehistory {
        PrehistoryCfg::Synthetic { days, annual_drift } => synthetic_history(
            &initial,
            &params,
            *days as usize + 1,
            annual_drift / 252.0,
            &mut stream_rng(seed, PREHISTORY_STREAM),
        ),
        _ => real_prehistory(s, base_dir)?.closes,
    };
    let data: Vec<InstrumentData> = s
        .instruments
        .iter()
        .zip(closes)
        .map(|(ins, path)| {
            let history = path
                .iter()
                .map(|&c| {
                    let t = ((c / ins.tick_size).round() as i64).max(1);
                    DailyBar {
                        open: t,
                        high: t,
                        low: t,
                        close: t,
                        volume: 0,
                    }
                })
                .collect();
            InstrumentData::new(
                ins.symbol.clone(),
                ins.tick_size,
                ins.notional_per_unit,
                (ins.tick_size * ins.notional_per_unit * 100.0).round() as i128,
                history,
                s.market.ewma_lambda,
                ins.initial_price,
            )
        })
        .collect();
    let mut fundamentals =
        Fundamentals::new(&initial, params, stream_rng(seed, FUNDAMENTAL_STREAM));
    for (i, ins) in s.instruments.iter().enumerate() {
        if !ins.fundamental_closes.is_empty() {
            fundamentals.follow(i, &ins.fundamental_closes);
        }
    }

    let symbol_index = |sym: &str| {
        s.instruments
            .iter()
            .position(|i| i.symbol == sym)
            .unwrap_or(0)
    };
    let mut agents: Vec<AgentSlot> = Vec::new();
    let mut add = |class: AgentClass,
                   k: u32,
                   latency_us: u64,
                   make: &mut dyn FnMut(&mut ChaCha8Rng) -> AnyAgent| {
        let id = class.agent_id(k);
        let mut rng = stream_rng(seed, id);
        let agent = make(&mut rng);
        agents.push(AgentSlot::new(agent, id, rng, latency_us * 1000));
    };
    // Background amounts are scaled by each instrument's liquidity.
    let units = |i: usize, usd: f64| {
        let ins = &s.instruments[i];
        usd * ins.liquidity_scale / (ins.initial_price * ins.notional_per_unit)
    };
    let n_ins = s.instruments.len();
    if let Some(c) = &s.agents.market_maker {
        for i in 0..n_ins {
            for k in 0..c.count {
                let q = units(i, c.quote_usd).round().max(1.0) as u64;
                let lim = units(i, c.inventory_limit_usd).round().max(1.0) as i64;
                add(
                    AgentClass::MarketMaker,
                    i as u32 * c.count + k,
                    c.latency_us,
                    &mut |_| MarketMaker::new(i, c.clone(), q, lim).into(),
                );
            }
        }
    }
    if let Some(c) = &s.agents.noise {
        for i in 0..n_ins {
            // One set of parameters for the instrument's traders (see `NoiseParams`).
            let params = NoiseParams::new(i, c.clone(), units(i, c.order_usd));
            for k in 0..c.count {
                add(
                    AgentClass::Noise,
                    i as u32 * c.count + k,
                    c.latency_us,
                    &mut |_| NoiseTrader::sharing(params.clone()).into(),
                );
            }
        }
    }
    if let Some(c) = &s.agents.value {
        for i in 0..n_ins {
            for k in 0..c.count {
                add(
                    AgentClass::Value,
                    i as u32 * c.count + k,
                    c.latency_us,
                    &mut |rng| {
                        let ins = &s.instruments[i];
                        let k = ins.liquidity_scale;
                        let mut c = c.clone();
                        c.usd_per_pct *= k;
                        c.max_position_usd *= k;
                        c.latent.far_usd_per_pct *= k;
                        c.latent.elasticity_usd_per_pct *= k;
                        if let Some(fast) = &mut c.latent.fast {
                            fast.far_usd_per_pct *= k;
                        }
                        let trader = ValueTrader::new(i, c.clone(), ins.annual_vol, rng);
                        AnyAgent::from(if c.limit == ValueLimit::Latent {
                            trader.with_latent(LatentParams::new(
                                &c.latent,
                                c.count,
                                ins.initial_price,
                                ins.tick_size,
                                ins.notional_per_unit,
                            ))
                        } else {
                            trader
                        })
                    },
                );
            }
        }
    }
    // The once-a-day kinds stay behind the trait (see `agents::store`).
    let statics: Vec<AgentClass> = s
        .agents
        .static_holders
        .iter()
        .filter_map(|n| super::ablate::parse_classes(n).ok())
        .flatten()
        .collect();
    add_flow_agents(
        s,
        &cal,
        &mut |class, k, latency_us, make| {
            add(class, k, latency_us, &mut |rng| {
                let agent = make(rng);
                if statics.contains(&class) {
                    let held: Box<dyn Agent> = Box::new(crate::agents::StaticHolder(agent));
                    held.into()
                } else {
                    agent.into()
                }
            })
        },
        &symbol_index,
    );
    for (k, f) in s.flows.iter().enumerate() {
        let i = symbol_index(&f.instrument);
        let start = parse_hhmm(&f.start).unwrap_or(0) as u64 * SECOND;
        let end = parse_hhmm(&f.end).unwrap_or(0) as u64 * SECOND;
        add(AgentClass::Exogenous, k as u32, 1000, &mut |_| {
            let agent: Box<dyn Agent> =
                Box::new(FlowProgramme::new(i, f.day - 1, start, end, f.side, f.usd));
            agent.into()
        });
    }

    // Funds start invested: their opening holdings are endowments, and conservation is
    // checked against these starting totals.
    let accounts = agents
        .iter_mut()
        .map(|slot| {
            let mut positions = vec![0; n_ins];
            for (i, units) in slot.agent.initial_positions(&data) {
                positions[i] += units;
            }
            Account {
                positions,
                ..Default::default()
            }
        })
        .collect();
    let ledger = Ledger::new(accounts, n_ins);
    let book_cfg = BookConfig {
        self_trade: s.market.self_trade,
    };
    let books = (0..n_ins)
        .map(|_| OrderBook::with_capacity(book_cfg, 1 << 14))
        .collect();
    let br = &s.market.circuit_breakers;
    let settings = MarketSettings {
        calendar: cal,
        breakers: Breakers {
            enabled: br.enabled,
            levels: br.levels.clone(),
            halt: br.halt_minutes as u64 * MINUTE,
            no_halt_after: parse_hhmm(&br.no_halt_after).unwrap_or(55_500) as u64 * SECOND,
            reference: br.reference.as_deref().map_or(0, symbol_index),
        },
        borrow_fee_annual: s.market.borrow_fee_annual,
        fundamental_step: s.market.fundamental_step_seconds as u64 * SECOND,
        news_moves_book: s.instruments.iter().map(|c| c.news_moves_book).collect(),
        shocks: s
            .shocks
            .iter()
            .map(|sh| Shock {
                day: sh.day - 1,
                time_of_day: parse_hhmm(&sh.time).unwrap_or(0) as u64 * SECOND,
                instrument: symbol_index(&sh.instrument),
                log_jump: sh.fundamental_jump,
            })
            .collect(),
        record_trades: s.record.trades,
        check_invariants,
    };
    Ok(Simulation::new(
        settings,
        books,
        data,
        fundamentals,
        ledger,
        agents,
    ))
}

/// Real-money long-term managers share their class with pension funds; their indices start
/// here so that each kind's ids (and random streams) do not depend on the other's count.
const LONG_TERM_OFFSET: u32 = 1 << 31;

type AddAgent<'a> =
    dyn FnMut(AgentClass, u32, u64, &mut dyn FnMut(&mut ChaCha8Rng) -> Box<dyn Agent>) + 'a;

/// Whether the dealers' options customers are an agent that unwinds what exercise delivers
/// (physical settlement with `customer_unwind`, and dealers to trade with).
pub fn unwinding_customers(c: &DealerCfg) -> bool {
    c.count > 0 && c.settlement == SettlementCfg::Physical && c.customer_unwind
}

/// The mechanical-flow agents and real-money accounts. Class sizes are totals, split equally.
fn add_flow_agents(
    s: &Scenario,
    calendar: &Calendar,
    add: &mut AddAgent<'_>,
    symbol_index: &dyn Fn(&str) -> usize,
) {
    let ins = |o: &Option<String>| o.as_deref().map_or(0, symbol_index);
    let per = |total: f64, count: u32| total / count.max(1) as f64;
    if let Some(c) = &s.agents.vol_target {
        let i = ins(&c.instrument);
        for k in 0..c.count {
            add(AgentClass::VolTarget, k, c.latency_us, &mut |rng| {
                Box::new(VolTarget::new(i, c, per(c.aum_usd, c.count), rng))
            });
        }
    }
    if let Some(c) = &s.agents.letf {
        for (k, f) in c.funds.iter().enumerate() {
            let i = ins(&f.instrument);
            add(AgentClass::Letf, k as u32, c.latency_us, &mut |_| {
                Box::new(LeveragedEtf::new(i, f, &c.execution))
            });
        }
    }
    if let Some(c) = &s.agents.cta {
        let i = ins(&c.instrument);
        for k in 0..c.count {
            add(AgentClass::Cta, k, c.latency_us, &mut |rng| {
                Box::new(Cta::new(i, c, per(c.capital_usd, c.count), rng))
            });
        }
    }
    if let Some(c) = &s.agents.dealer {
        let i = ins(&c.instrument);
        for k in 0..c.count {
            add(AgentClass::Dealer, k, c.latency_us, &mut |_| {
                Box::new(Dealer::new(i, c, per(1.0, c.count)))
            });
        }
    }
    if let Some(c) = s.agents.dealer.as_ref().filter(|c| unwinding_customers(c)) {
        // One agent for all the dealers' customers: every delivery goes to its account.
        let i = ins(&c.instrument);
        add(AgentClass::OptionsCustomer, 0, c.latency_us, &mut |_| {
            Box::new(OptionsCustomer::new(i, calendar))
        });
    }
    if let Some(c) = &s.agents.short_seller {
        let i = ins(&c.instrument);
        for k in 0..c.count {
            add(AgentClass::ShortSeller, k, c.latency_us, &mut |rng| {
                Box::new(ShortSeller::new(
                    i,
                    c,
                    per(c.initial_short_usd, c.count),
                    rng,
                ))
            });
        }
    }
    if let Some(c) = &s.agents.hedger {
        let i = ins(&c.instrument);
        for k in 0..c.count {
            add(AgentClass::Hedger, k, c.latency_us, &mut |_| {
                Box::new(Hedger::new(i, c, per(c.portfolio_usd, c.count)))
            });
        }
    }
    if let Some(c) = &s.agents.pension {
        let i = ins(&c.instrument);
        for k in 0..c.count {
            add(AgentClass::RealMoney, k, c.latency_us, &mut |_| {
                Box::new(Pension::new(i, c, per(c.aum_usd, c.count)))
            });
        }
    }
    if let Some(c) = &s.agents.long_term {
        let i = ins(&c.instrument);
        for k in 0..c.count {
            add(
                AgentClass::RealMoney,
                LONG_TERM_OFFSET + k,
                c.latency_us,
                &mut |_| Box::new(LongTermManager::new(i, c, per(c.aum_usd, c.count))),
            );
        }
    }
}

/// A pre-history read from files: closes per instrument (rescaled to end at each initial
/// price) and the date of the last one.
pub struct RealPrehistory {
    pub closes: Vec<Vec<f64>>,
    pub last_date: NaiveDate,
}

/// The trading dates of the simulated days: after a dated pre-history (a CSV or real history
/// file) the trading days that follow its last date; otherwise US trading days from the
/// scenario's `start_date` (default [`DEFAULT_START`](crate::record::clock::DEFAULT_START); a
/// weekend or holiday start moves to the next trading day).
pub fn simulated_dates(s: &Scenario, base_dir: &Path) -> Result<Vec<NaiveDate>, BuildError> {
    if matches!(s.prehistory, PrehistoryCfg::Synthetic { .. }) {
        let text = s
            .start_date
            .as_deref()
            .unwrap_or(crate::record::clock::DEFAULT_START);
        let start = crate::history::parse_date(text).map_err(|message| BuildError::Prehistory {
            file: "start_date".into(),
            message,
        })?;
        let mut dates = crate::record::RecordClock::starting(start, s.days)
            .dates()
            .to_vec();
        dates.truncate(s.days as usize);
        return Ok(dates);
    }
    let last = real_prehistory(s, base_dir)?.last_date;
    Ok(TradingCalendar::days_after(last, s.days as usize))
}

/// Reads a CSV or real-history pre-history through the one daily-history reader.
pub fn real_prehistory(s: &Scenario, base_dir: &Path) -> Result<RealPrehistory, BuildError> {
    let until = |u: &Option<String>| u.as_deref().and_then(|u| parse_date(u).ok());
    let (dates, mut cols, file, until, keep) = match &s.prehistory {
        PrehistoryCfg::Synthetic { .. } => {
            return Err(BuildError::Prehistory {
                file: String::new(),
                message: "a synthetic pre-history is drawn, not read".into(),
            });
        }
        PrehistoryCfg::Csv { file, until: u } => {
            let path = base_dir.join(file);
            let symbols: Vec<&str> = s.instruments.iter().map(|i| i.symbol.as_str()).collect();
            let (dates, cols) = read_columns(&path, None, &symbols)?;
            (dates, cols, path.display().to_string(), until(u), 0)
        }
        PrehistoryCfg::History {
            files,
            until: u,
            days,
            close_column,
        } => {
            let mut dates: Option<(Vec<NaiveDate>, String)> = None;
            let mut cols = Vec::new();
            for ins in &s.instruments {
                // Validation guarantees a file per instrument.
                let path = base_dir.join(files.get(&ins.symbol).map_or("", String::as_str));
                let h = read_daily(&path, &Columns::close(close_column))?;
                if let Some((d0, f0)) = &dates
                    && d0 != &h.dates
                {
                    let k = d0.iter().zip(&h.dates).take_while(|(a, b)| a == b).count();
                    return Err(BuildError::Prehistory {
                        file: h.file.clone(),
                        message: format!(
                            "its dates differ from {f0}'s from row {} on: instruments' histories must cover the same days",
                            k + 2
                        ),
                    });
                }
                if dates.is_none() {
                    dates = Some((h.dates.clone(), h.file.clone()));
                }
                cols.push(h.close);
            }
            let (dates, file) = dates.unwrap_or_default();
            (dates, cols, file, until(u), *days as usize)
        }
    };
    let mut end = dates.len();
    if let Some(u) = until {
        end = dates.partition_point(|&d| d <= u);
    }
    let start = if keep > 0 {
        end.saturating_sub(keep)
    } else {
        0
    };
    if end - start < 2 {
        return Err(BuildError::Prehistory {
            file,
            message: format!(
                "prehistory.until leaves {} day{} of history; a pre-history needs at least two",
                end - start,
                if end - start == 1 { "" } else { "s" }
            ),
        });
    }
    for (k, col) in cols.iter_mut().enumerate() {
        col.truncate(end);
        col.drain(..start);
        let scale = s.instruments[k].initial_price / col[col.len() - 1];
        for v in col.iter_mut() {
            *v *= scale;
        }
    }
    Ok(RealPrehistory {
        closes: cols,
        last_date: dates[end - 1],
    })
}
