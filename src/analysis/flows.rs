//! Flow attribution: who bought and sold, in dollars, by class, motive, day and time of day.
//! These are the numbers market commentary quotes ("vol-targeters sold $27bn this week, most of
//! it into the close"), computed from the per-bar flow records.

use std::collections::BTreeMap;

use crate::agents::AgentClass;
use crate::book::Motive;
use crate::record::FlowRow;

/// Buckets of the trading day a flow can fall in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimeBucket {
    /// The half hour starting this many minutes after the open (0, 30, …).
    HalfHour(u32),
    /// The closing auction's uncross (the day's last bar).
    Close,
}

impl TimeBucket {
    pub fn label(self, open_minutes: u32) -> String {
        match self {
            TimeBucket::HalfHour(m) => {
                let t = open_minutes + m;
                format!("{:02}:{:02}", t / 60, t % 60)
            }
            TimeBucket::Close => "close".into(),
        }
    }
}

/// Dollar totals of one group of flows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dollars {
    /// Bought, dollars (positive).
    pub bought: f64,
    /// Sold, dollars (positive).
    pub sold: f64,
}

impl Dollars {
    pub fn net(&self) -> f64 {
        self.bought - self.sold
    }
    fn add(&mut self, f: &FlowRow) {
        self.bought += f.buy_usd;
        self.sold += f.sell_usd;
    }
}

/// Flows of every class, grouped four ways.
#[derive(Clone, Debug, Default)]
pub struct FlowAttribution {
    pub by_class_day: BTreeMap<(AgentClass, u32), Dollars>,
    pub by_class_motive: BTreeMap<(AgentClass, Motive), Dollars>,
    pub by_class_time: BTreeMap<(AgentClass, TimeBucket), Dollars>,
    pub by_class: BTreeMap<AgentClass, Dollars>,
}

impl FlowAttribution {
    /// Groups the flows of `instrument` (all instruments when `None`). `bars_per_day` is the
    /// index of the last bar (the closing uncross), `bar_minutes` the bar length.
    pub fn new(
        flows: &[FlowRow],
        instrument: Option<u16>,
        bars_per_day: u32,
        bar_minutes: u32,
    ) -> Self {
        let mut a = FlowAttribution::default();
        for f in flows
            .iter()
            .filter(|f| instrument.is_none_or(|i| f.instrument == i))
        {
            let bucket = if f.bar >= bars_per_day {
                TimeBucket::Close
            } else {
                TimeBucket::HalfHour((f.bar.saturating_sub(1) * bar_minutes) / 30 * 30)
            };
            a.by_class_day.entry((f.class, f.day)).or_default().add(f);
            a.by_class_motive
                .entry((f.class, f.motive))
                .or_default()
                .add(f);
            a.by_class_time.entry((f.class, bucket)).or_default().add(f);
            a.by_class.entry(f.class).or_default().add(f);
        }
        a
    }

    /// Net dollars of `class` on `day` (0 when it did not trade).
    pub fn net(&self, class: AgentClass, day: u32) -> f64 {
        self.by_class_day
            .get(&(class, day))
            .map_or(0.0, Dollars::net)
    }

    /// The classes that traded, in `AgentClass::ALL` order.
    pub fn classes(&self) -> Vec<AgentClass> {
        AgentClass::ALL
            .into_iter()
            .filter(|c| self.by_class.contains_key(c))
            .collect()
    }

    /// Share of a class's gross traded dollars that went through the closing auction.
    pub fn close_share(&self, class: AgentClass) -> f64 {
        let gross = |d: &Dollars| d.bought + d.sold;
        let total: f64 = self
            .by_class_time
            .iter()
            .filter(|((c, _), _)| *c == class)
            .map(|(_, d)| gross(d))
            .sum();
        let close = self
            .by_class_time
            .get(&(class, TimeBucket::Close))
            .map_or(0.0, gross);
        if total > 0.0 { close / total } else { 0.0 }
    }
}
