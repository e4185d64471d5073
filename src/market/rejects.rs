//! Why the books refused orders, counted by reason: a run's `rejected` total alone cannot
//! tell a market maker's post-only quotes that would have crossed from orders sent into a
//! halt or a closed market.

use serde::Serialize;

use crate::book::Reject;

/// Refused submissions by [`Reject`] variant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RejectCounts {
    pub post_only_would_cross: u64,
    pub fok_not_fillable: u64,
    pub halted: u64,
    pub closed: u64,
    pub not_in_auction: u64,
    pub bad_price: u64,
    pub zero_quantity: u64,
    pub too_large: u64,
    pub unsupported: u64,
    /// Only cancels and modifies can name an unknown order, and they are not counted here:
    /// always 0 from submissions, kept so that every [`Reject`] has its count.
    pub unknown_order: u64,
}

impl RejectCounts {
    pub fn add(&mut self, r: &Reject) {
        let slot = match r {
            Reject::PostOnlyWouldCross => &mut self.post_only_would_cross,
            Reject::FokNotFillable => &mut self.fok_not_fillable,
            Reject::Halted => &mut self.halted,
            Reject::Closed => &mut self.closed,
            Reject::NotInAuction(_) => &mut self.not_in_auction,
            Reject::BadPrice(_) => &mut self.bad_price,
            Reject::ZeroQuantity => &mut self.zero_quantity,
            Reject::TooLarge => &mut self.too_large,
            Reject::Unsupported(_) => &mut self.unsupported,
            Reject::UnknownOrder(_) => &mut self.unknown_order,
        };
        *slot += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::OrderId;

    #[test]
    fn each_reason_has_its_own_count() {
        let mut c = RejectCounts::default();
        let all = [
            Reject::PostOnlyWouldCross,
            Reject::PostOnlyWouldCross,
            Reject::FokNotFillable,
            Reject::Halted,
            Reject::Closed,
            Reject::NotInAuction("x"),
            Reject::BadPrice(0),
            Reject::ZeroQuantity,
            Reject::TooLarge,
            Reject::Unsupported("y"),
            Reject::UnknownOrder(OrderId(7)),
        ];
        for r in &all {
            c.add(r);
        }
        assert_eq!(c.post_only_would_cross, 2);
        assert_eq!((c.halted, c.closed, c.unknown_order), (1, 1, 1));
        assert_eq!(
            (c.fok_not_fillable, c.not_in_auction, c.bad_price),
            (1, 1, 1)
        );
        assert_eq!((c.zero_quantity, c.too_large, c.unsupported), (1, 1, 1));
    }
}
