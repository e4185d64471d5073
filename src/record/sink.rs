//! Where a simulation sends its rows.

use super::rows::*;

/// Receives rows in the order they happen. Implementations write files or keep rows in memory.
pub trait RecordSink {
    fn trade(&mut self, row: &TradeRow) -> std::io::Result<()>;
    fn bar(&mut self, row: &BarRow) -> std::io::Result<()>;
    fn flow(&mut self, row: &FlowRow) -> std::io::Result<()>;
    fn position(&mut self, row: &PositionRow) -> std::io::Result<()>;
    fn event(&mut self, row: &EventRow) -> std::io::Result<()>;
    /// Agents' daily state (exposures, signals, greeks).
    fn state(&mut self, _row: &StateRow) -> std::io::Result<()> {
        Ok(())
    }

    /// Whether the simulation should send [`BookObservation`]s (they cost a little per order).
    fn wants_book(&self) -> bool {
        false
    }
    fn book(&mut self, _obs: &BookObservation<'_>) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends every row to two sinks.
pub struct Tee<'a> {
    pub first: &'a mut dyn RecordSink,
    pub second: &'a mut dyn RecordSink,
}

impl RecordSink for Tee<'_> {
    fn trade(&mut self, row: &TradeRow) -> std::io::Result<()> {
        self.first.trade(row)?;
        self.second.trade(row)
    }
    fn bar(&mut self, row: &BarRow) -> std::io::Result<()> {
        self.first.bar(row)?;
        self.second.bar(row)
    }
    fn flow(&mut self, row: &FlowRow) -> std::io::Result<()> {
        self.first.flow(row)?;
        self.second.flow(row)
    }
    fn position(&mut self, row: &PositionRow) -> std::io::Result<()> {
        self.first.position(row)?;
        self.second.position(row)
    }
    fn event(&mut self, row: &EventRow) -> std::io::Result<()> {
        self.first.event(row)?;
        self.second.event(row)
    }
    fn state(&mut self, row: &StateRow) -> std::io::Result<()> {
        self.first.state(row)?;
        self.second.state(row)
    }
    fn wants_book(&self) -> bool {
        self.first.wants_book() || self.second.wants_book()
    }
    fn book(&mut self, obs: &BookObservation<'_>) -> std::io::Result<()> {
        if self.first.wants_book() {
            self.first.book(obs)?;
        }
        if self.second.wants_book() {
            self.second.book(obs)?;
        }
        Ok(())
    }
}

/// Keeps everything in memory: for tests and for analysis of short runs.
#[derive(Default, Debug, Clone)]
pub struct MemorySink {
    pub trades: Vec<TradeRow>,
    pub bars: Vec<BarRow>,
    pub flows: Vec<FlowRow>,
    pub positions: Vec<PositionRow>,
    pub events: Vec<EventRow>,
    pub state: Vec<StateRow>,
    /// Keep trades (they dominate memory).
    pub keep_trades: bool,
}

impl RecordSink for MemorySink {
    fn trade(&mut self, row: &TradeRow) -> std::io::Result<()> {
        if self.keep_trades {
            self.trades.push(*row);
        }
        Ok(())
    }
    fn bar(&mut self, row: &BarRow) -> std::io::Result<()> {
        self.bars.push(*row);
        Ok(())
    }
    fn flow(&mut self, row: &FlowRow) -> std::io::Result<()> {
        self.flows.push(*row);
        Ok(())
    }
    fn position(&mut self, row: &PositionRow) -> std::io::Result<()> {
        self.positions.push(*row);
        Ok(())
    }
    fn event(&mut self, row: &EventRow) -> std::io::Result<()> {
        self.events.push(row.clone());
        Ok(())
    }
    fn state(&mut self, row: &StateRow) -> std::io::Result<()> {
        self.state.push(*row);
        Ok(())
    }
}
