//! Markets and contexts for the agents' unit tests.

use super::{Action, Context, DayPhase};
use crate::book::{OrderKind, Price, Side};
use crate::market::data::{DailyBar, InstrumentData};
use crate::market::ledger::Account;
use crate::market::time::{Calendar, Nanos, SECOND};

pub fn calendar() -> Calendar {
    Calendar {
        preopen: 9 * 3600 * SECOND,
        open: 34_200 * SECOND,
        close_auction: 57_300 * SECOND,
        close: 57_600 * SECOND,
        bar: 60 * SECOND,
        days: 100,
    }
}

/// An index with the given daily closes (points), 0.25-point ticks and $50 per point.
pub fn market(closes: &[f64]) -> InstrumentData {
    let history = closes
        .iter()
        .map(|&c| {
            let t = (c / 0.25).round() as i64;
            DailyBar {
                open: t,
                high: t,
                low: t,
                close: t,
                volume: 0,
            }
        })
        .collect();
    let last = *closes.last().unwrap_or(&5000.0);
    let mut d = InstrumentData::new("SPX".into(), 0.25, 50.0, 1250, history, 0.94, last);
    let p = d.last_price;
    d.best_bid = Some((p - 1, 100));
    d.best_ask = Some((p + 1, 100));
    d
}

pub fn account(units: i64) -> Account {
    Account {
        positions: vec![units],
        ..Default::default()
    }
}

pub fn context<'a>(
    cal: &'a Calendar,
    data: &'a [InstrumentData],
    account: &'a Account,
    day: u32,
    time_of_day: Nanos,
    phase: DayPhase,
) -> Context<'a> {
    Context {
        now: cal.day_start(day) + time_of_day,
        day,
        phase,
        calendar: cal,
        instruments: data,
        account,
        open_orders: &[],
    }
}

/// Net units a set of limit orders trades if the price reaches `price` (ticks): every buy at
/// or above it and every sell at or below it (a ladder's fill, whatever the path there).
pub fn fill_at(orders: &[Action], price: Price) -> i64 {
    orders
        .iter()
        .map(|a| match *a {
            Action::Submit {
                side,
                kind: OrderKind::Limit(p),
                qty,
                ..
            } => match side {
                Side::Buy if p >= price => qty as i64,
                Side::Sell if p <= price => -(qty as i64),
                _ => 0,
            },
            _ => 0,
        })
        .sum()
}
