//! The vocabulary of the book: prices, quantities, ids, order requests, fills and rejections.
//!
//! Prices are integer ticks and quantities integer units so that matching is exact and
//! reproducible; the scale to dollars lives in the market, never here.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A price in integer ticks. Signed so that differences and sentinels need no casts; the book
/// only accepts strictly positive prices.
pub type Price = i64;

/// A quantity in integer units (shares or contracts).
pub type Qty = u64;

/// Identifies an order for its whole life in one book.
///
/// The low 32 bits are the storage slot and the high 32 bits a generation counter, so a lookup
/// is one array access and an id of an order that has already gone is recognised, not confused
/// with the order that now uses its slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderId(pub u64);

impl OrderId {
    pub(crate) fn new(slot: u32, generation: u32) -> Self {
        OrderId(((generation as u64) << 32) | slot as u64)
    }
    pub(crate) fn slot(self) -> usize {
        (self.0 & 0xFFFF_FFFF) as usize
    }
    pub(crate) fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

impl std::fmt::Display for OrderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The account an order belongs to; used for self-trade prevention and carried to fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AgentId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
    /// +1 for a buy, -1 for a sell: the sign of the position change.
    pub fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }
}

/// Why an order was sent. The book never looks at it; it is carried to every fill so that each
/// traded unit can be attributed to a reason in the flow records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Motive {
    Liquidity,
    Noise,
    Value,
    Rebalance,
    Hedge,
    SignalFlip,
    StopOut,
    MarginCall,
    Unwind,
    Exogenous,
    Replay,
}

impl Motive {
    pub const ALL: [Motive; 11] = [
        Motive::Liquidity,
        Motive::Noise,
        Motive::Value,
        Motive::Rebalance,
        Motive::Hedge,
        Motive::SignalFlip,
        Motive::StopOut,
        Motive::MarginCall,
        Motive::Unwind,
        Motive::Exogenous,
        Motive::Replay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Motive::Liquidity => "liquidity",
            Motive::Noise => "noise",
            Motive::Value => "value",
            Motive::Rebalance => "rebalance",
            Motive::Hedge => "hedge",
            Motive::SignalFlip => "signal_flip",
            Motive::StopOut => "stop_out",
            Motive::MarginCall => "margin_call",
            Motive::Unwind => "unwind",
            Motive::Exogenous => "exogenous",
            Motive::Replay => "replay",
        }
    }
}

/// How long an order may rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Rests until cancelled.
    Gtc,
    /// Rests until the market expires day orders (after the close).
    Day,
    /// Immediate or cancel: whatever does not fill at once is cancelled.
    Ioc,
    /// Fill or kill: fills completely at once or is rejected without touching the book.
    Fok,
    /// Market-on-close or limit-on-close: held aside and entered into the closing auction only.
    AtClose,
}

/// Limit or market.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Limit(Price),
    Market,
}

/// A request to enter an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewOrder {
    pub side: Side,
    pub kind: OrderKind,
    pub qty: Qty,
    pub tif: TimeInForce,
    /// Rejected instead of matched if it would take liquidity.
    pub post_only: bool,
    pub agent: AgentId,
    pub motive: Motive,
}

impl NewOrder {
    /// A good-till-cancelled limit order, the most common request.
    pub fn limit(side: Side, price: Price, qty: Qty, agent: AgentId, motive: Motive) -> Self {
        NewOrder {
            side,
            kind: OrderKind::Limit(price),
            qty,
            tif: TimeInForce::Gtc,
            post_only: false,
            agent,
            motive,
        }
    }

    /// A market order: takes what is there and cancels the rest (in an auction it rests
    /// until the uncross).
    pub fn market(side: Side, qty: Qty, agent: AgentId, motive: Motive) -> Self {
        NewOrder {
            side,
            kind: OrderKind::Market,
            qty,
            tif: TimeInForce::Ioc,
            post_only: false,
            agent,
            motive,
        }
    }

    pub fn with_tif(mut self, tif: TimeInForce) -> Self {
        self.tif = tif;
        self
    }

    pub fn post_only(mut self) -> Self {
        self.post_only = true;
        self
    }
}

/// One execution between a buy order and a sell order.
///
/// Fills are stored as buyer and seller rather than maker and taker because auction fills have
/// no aggressor; [`Fill::maker`] and [`Fill::taker`] recover the roles in continuous trading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    pub price: Price,
    pub qty: Qty,
    pub buy_order: OrderId,
    pub sell_order: OrderId,
    pub buyer: AgentId,
    pub seller: AgentId,
    pub buy_motive: Motive,
    pub sell_motive: Motive,
    /// The side that took liquidity; `None` for an auction uncross.
    pub aggressor: Option<Side>,
}

impl Fill {
    /// The resting order, or `None` for an auction fill.
    pub fn maker(&self) -> Option<OrderId> {
        match self.aggressor? {
            Side::Buy => Some(self.sell_order),
            Side::Sell => Some(self.buy_order),
        }
    }
    /// The incoming order, or `None` for an auction fill.
    pub fn taker(&self) -> Option<OrderId> {
        match self.aggressor? {
            Side::Buy => Some(self.buy_order),
            Side::Sell => Some(self.sell_order),
        }
    }
}

/// Why quantity left the book without trading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The owner asked.
    Requested,
    /// The unfilled rest of an IOC order, or of a market order that ran out of liquidity.
    Unfilled,
    /// Self-trade prevention removed it.
    SelfTrade,
    /// A day order at the end of the day.
    Expired,
    /// A market or at-close order that the auction did not fill.
    AuctionUnfilled,
}

/// What an operation did besides its direct answer: fills and cancellations, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookEvent {
    Fill(Fill),
    Cancelled {
        id: OrderId,
        agent: AgentId,
        side: Side,
        qty: Qty,
        reason: CancelReason,
    },
}

/// Why a request was refused. A refused request leaves the book exactly as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum Reject {
    #[error("unknown order {0} (never existed, already filled or cancelled)")]
    UnknownOrder(OrderId),
    #[error("bad price {0}: prices must be positive and within the book's range")]
    BadPrice(Price),
    #[error("quantity must be positive")]
    ZeroQuantity,
    #[error("quantity too large: the book's resting total would pass 2^64 - 1 units")]
    TooLarge,
    #[error("post-only order would cross the book")]
    PostOnlyWouldCross,
    #[error("fill-or-kill order cannot be filled completely")]
    FokNotFillable,
    #[error("trading is halted")]
    Halted,
    #[error("the market is closed")]
    Closed,
    #[error("{0} is not accepted during a call auction")]
    NotInAuction(&'static str),
    #[error("{0}")]
    Unsupported(&'static str),
}

/// What a successful submission did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub id: OrderId,
    /// Quantity executed at once.
    pub filled: Qty,
    /// Quantity left resting (in the book, the auction or the at-close queue).
    pub resting: Qty,
}

/// How self-trade prevention resolves an incoming order that would hit its own agent's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelfTradePrevention {
    /// Allow the self-trade.
    Allow,
    /// Cancel the resting order and keep matching.
    #[default]
    CancelResting,
    /// Cancel the rest of the incoming order.
    CancelIncoming,
    /// Cancel both.
    CancelBoth,
}

/// The trading state of one book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Orders collect without matching until [`crate::book::OrderBook::uncross`].
    Auction(AuctionKind),
    Continuous,
    /// New orders and modifications are refused; cancels are accepted.
    Halted,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuctionKind {
    Open,
    /// Entering this auction brings in the at-close orders.
    Close,
    /// The auction that ends a halt.
    Reopen,
}

/// An aggregated price level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelView {
    pub price: Price,
    pub qty: Qty,
    pub orders: u32,
}

/// A resting order as seen from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderView {
    pub id: OrderId,
    pub side: Side,
    /// `None` for a market order waiting for an auction.
    pub price: Option<Price>,
    pub qty: Qty,
    pub agent: AgentId,
    pub motive: Motive,
    pub tif: TimeInForce,
    pub post_only: bool,
    /// Time priority: lower entered earlier.
    pub seq: u64,
}
