//! Positions and cash of every account, in exact integers.
//!
//! Cash is kept in cents (i128) so that sums over long runs cannot overflow or round; a fill
//! moves `price × qty × cents_per_tick_unit` cents from buyer to seller. Borrow fees move cash
//! from short sellers to a lender account held here, so cash is conserved exactly.

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
        let total: i128 =
            self.accounts.iter().map(|a| a.cash_cents).sum::<i128>() + self.lender.cash_cents;
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
                + self.lender.positions[i] as i128;
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
