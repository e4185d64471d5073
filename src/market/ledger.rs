//! Positions and cash of every account, in exact integers.
//!
//! Cash is kept in cents (i128) so that sums over long runs cannot overflow or round; a fill
//! moves `price × qty × cents_per_tick_unit` cents from buyer to seller. Borrow fees move cash
//! from short sellers to a lender account held here, so cash is conserved exactly. Physically
//! settled options deliver the underlying between a dealer and the options customers: an
//! agent account when the customers are an agent that unwinds deliveries, otherwise an
//! account held here, every dealer's counterparty, that never trades on a book.

use thiserror::Error;

use crate::book::{Fill, Price};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub cash_cents: i128,
    /// Units held per instrument (negative = short).
    pub positions: Vec<i64>,
    /// Borrow fees paid so far, in cents.
    pub borrow_paid_cents: i128,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LedgerError {
    #[error("cash not conserved: total {total} cents, expected {expected}")]
    Cash { total: i128, expected: i128 },
    #[error("instrument {instrument}: positions sum to {total}, expected {expected}")]
    Position {
        instrument: usize,
        total: i128,
        expected: i128,
    },
}

#[derive(Clone, Debug)]
pub struct Ledger {
    accounts: Vec<Account>,
    lender: Account,
    /// The other side of every dealer's options; starts empty and moves only at exercises.
    options_customer: Account,
    initial_cash: i128,
    initial_positions: Vec<i128>,
}

impl Ledger {
    /// `initial` gives each account's starting cash and positions.
    pub fn new(initial: Vec<Account>, instruments: usize) -> Self {
        let initial_cash = initial.iter().map(|a| a.cash_cents).sum();
        let initial_positions = (0..instruments)
            .map(|i| initial.iter().map(|a| a.positions[i] as i128).sum())
            .collect();
        Ledger {
            accounts: initial,
            lender: Account {
                positions: vec![0; instruments],
                ..Default::default()
            },
            options_customer: Account {
                positions: vec![0; instruments],
                ..Default::default()
            },
            initial_cash,
            initial_positions,
        }
    }

    pub fn account(&self, idx: usize) -> &Account {
        &self.accounts[idx]
    }

    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    pub fn lender(&self) -> &Account {
        &self.lender
    }

    pub fn options_customer(&self) -> &Account {
        &self.options_customer
    }

    /// Books an options exercise: `units` of `instrument` move from the options customers to
    /// `account` (negative: from the account to them) against `price` (ticks) per unit in
    /// cash the other way. The customers are the agent account `customer` when they are an
    /// agent that trades (it unwinds what it receives), else the ledger's own account, which
    /// never trades. Returns the cash the account received, in cents (negative: paid).
    pub fn deliver(
        &mut self,
        instrument: usize,
        account: usize,
        customer: Option<usize>,
        units: i64,
        price: Price,
        cents_per_tick_unit: i128,
    ) -> i128 {
        let cash = price as i128 * units as i128 * cents_per_tick_unit;
        let a = &mut self.accounts[account];
        a.positions[instrument] += units;
        a.cash_cents -= cash;
        let c = match customer {
            Some(k) => &mut self.accounts[k],
            None => &mut self.options_customer,
        };
        c.positions[instrument] -= units;
        c.cash_cents += cash;
        -cash
    }

    /// Books a fill between account indices `buyer` and `seller`.
    #[inline]
    pub fn settle(
        &mut self,
        instrument: usize,
        fill: &Fill,
        buyer: usize,
        seller: usize,
        cents_per_tick_unit: i128,
    ) {
        let cash = fill.price as i128 * fill.qty as i128 * cents_per_tick_unit;
        let q = fill.qty as i64;
        let b = &mut self.accounts[buyer];
        b.cash_cents -= cash;
        b.positions[instrument] += q;
        let s = &mut self.accounts[seller];
        s.cash_cents += cash;
        s.positions[instrument] -= q;
    }

    /// Charges one day of borrow fees on short positions valued at `close` (ticks).
    pub fn charge_borrow(
        &mut self,
        instrument: usize,
        close: Price,
        cents_per_tick_unit: i128,
        annual_fee: f64,
    ) {
        if annual_fee <= 0.0 {
            return;
        }
        // Fee per day in parts per billion, so the charge is integer arithmetic.
        let ppb = (annual_fee / 252.0 * 1e9).round() as i128;
        for a in &mut self.accounts {
            let pos = a.positions[instrument];
            if pos < 0 {
                let value = (-pos) as i128 * close as i128 * cents_per_tick_unit;
                let fee = value * ppb / 1_000_000_000;
                a.cash_cents -= fee;
                a.borrow_paid_cents += fee;
                self.lender.cash_cents += fee;
            }
        }
    }

    /// Checks that cash and every instrument's units are conserved across all accounts.
    pub fn check_conservation(&self) -> Result<(), LedgerError> {
        let total: i128 = self.accounts.iter().map(|a| a.cash_cents).sum::<i128>()
            + self.lender.cash_cents
            + self.options_customer.cash_cents;
        if total != self.initial_cash {
            return Err(LedgerError::Cash {
                total,
                expected: self.initial_cash,
            });
        }
        for (i, &expected) in self.initial_positions.iter().enumerate() {
            let total: i128 = self
                .accounts
                .iter()
                .map(|a| a.positions[i] as i128)
                .sum::<i128>()
                + self.lender.positions[i] as i128
                + self.options_customer.positions[i] as i128;
            if total != expected {
                return Err(LedgerError::Position {
                    instrument: i,
                    total,
                    expected,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::{AgentId, Motive, OrderId};
    use proptest::prelude::*;

    fn ledger(units: &[i64]) -> Ledger {
        let accounts = units
            .iter()
            .map(|&u| Account {
                cash_cents: 1_000_000,
                positions: vec![u],
                ..Default::default()
            })
            .collect();
        Ledger::new(accounts, 1)
    }

    fn fill(price: Price, qty: u64) -> Fill {
        Fill {
            price,
            qty,
            buy_order: OrderId::new(0, 0),
            sell_order: OrderId::new(1, 0),
            buyer: AgentId(0),
            seller: AgentId(1),
            buy_motive: Motive::Hedge,
            sell_motive: Motive::Noise,
            aggressor: None,
        }
    }

    /// A long call exercised at a 5000.00 strike (20,000 ticks of $0.25, $50 a unit: 1,250
    /// cents per tick and unit): the dealer receives 2,000 units and pays 2,000 × 20,000 ×
    /// 1,250 cents ($500m); the customers' account holds the other side, and both totals stand.
    #[test]
    fn a_delivery_moves_units_and_cash_against_the_options_customers() {
        let mut l = ledger(&[-2_000, 2_000]);
        let received = l.deliver(0, 0, None, 2_000, 20_000, 1_250);
        assert_eq!(received, -50_000_000_000);
        assert_eq!(l.account(0).positions, vec![0]);
        assert_eq!(l.account(0).cash_cents, 1_000_000 - 50_000_000_000);
        let c = l.options_customer();
        assert_eq!((c.positions[0], c.cash_cents), (-2_000, 50_000_000_000));
        assert_eq!(l.check_conservation(), Ok(()));
        // A short call exercised against the dealer: it delivers and is paid.
        assert_eq!(l.deliver(0, 1, None, -500, 20_000, 1_250), 12_500_000_000);
        assert_eq!(l.account(1).positions, vec![1_500]);
        assert_eq!(l.options_customer().positions, vec![-1_500]);
        assert_eq!(l.check_conservation(), Ok(()));
    }

    proptest! {
        /// Whatever mix of fills, borrow fees and exercises (against the ledger's customers'
        /// account or an agent account), cash and units are conserved across the agents, the
        /// lender and the options customers, and the ledger's customers hold exactly the
        /// opposite of what was delivered to them.
        #[test]
        fn conservation_holds_with_deliveries(
            ops in prop::collection::vec(
                (0u8..4, 0usize..3, 0usize..3, -50_000i64..50_000, 1i64..40_000),
                1..60,
            )
        ) {
            let mut l = ledger(&[100, -50, 0]);
            let mut delivered = 0i64;
            let mut paid = 0i128;
            for (op, a, b, units, price) in ops {
                match op {
                    0 if a != b => l.settle(0, &fill(price, units.unsigned_abs()), a, b, 1_250),
                    1 => l.charge_borrow(0, price, 1_250, 0.3),
                    2 if a != 2 => {
                        // Account 2 is the customers as an agent: it trades like any other.
                        l.deliver(0, a, Some(2), units, price, 1_250);
                    }
                    _ => {
                        paid -= l.deliver(0, a, None, units, price, 1_250);
                        delivered += units;
                    }
                }
                prop_assert_eq!(l.check_conservation(), Ok(()));
            }
            prop_assert_eq!(l.options_customer().positions[0], -delivered);
            prop_assert_eq!(l.options_customer().cash_cents, paid);
        }
    }
}
