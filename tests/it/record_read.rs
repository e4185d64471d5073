//! A run folder read back gives exactly the rows the simulation sent: what reports and
//! ablations compute from is what the run produced.

use crate::common::Scratch;
use std::path::Path;

use flowsim::record::{MemorySink, RunRecords, RunWriter, Tee};
use flowsim::scenario::{self, build};

const SCENARIO: &str = r#"
name = "read_back"
days = 2
[[instruments]]
symbol = "SPX"
initial_price = 5000.0
tick_size = 0.25
notional_per_unit = 50.0
[[instruments]]
symbol = "NDX"
initial_price = 18000.0
tick_size = 0.25
notional_per_unit = 20.0
[[shocks]]
day = 2
time = "11:00"
instrument = "NDX"
fundamental_jump = -0.03
[agents.market_maker]
count = 2
[agents.noise]
count = 30
[agents.value]
count = 5
[agents.letf]
[agents.dealer]
[agents.vol_target]
"#;

#[test]
fn a_run_folder_reads_back_to_the_rows_the_run_sent() {
    let s = Scratch::new("read-back");
    let sc = scenario::parse(Path::new("read_back.toml"), SCENARIO).expect("valid");
    let mut sim = build::build_with(&sc, Path::new("."), 3, false).expect("builds");
    let dir = s.path("run");
    let symbols = sc.instruments.iter().map(|i| i.symbol.clone()).collect();
    let mut writer = RunWriter::create(&dir, symbols, false, false).unwrap();
    let mut memory = MemorySink::default();
    sim.run(
        &mut Tee {
            first: &mut writer,
            second: &mut memory,
        },
        &mut |_, _| {},
    )
    .unwrap();
    writer.finish().unwrap();
    let r = RunRecords::read(&dir).unwrap();
    assert_eq!(r.symbols, ["SPX", "NDX"]);
    assert!(!memory.flows.is_empty() && !memory.state.is_empty());
    assert_eq!(r.bars, memory.bars);
    assert_eq!(r.flows, memory.flows);
    assert_eq!(r.positions, memory.positions);
    assert_eq!(r.events, memory.events);
    assert_eq!(r.state, memory.state);
}

#[test]
fn an_unknown_instrument_in_a_table_is_an_error_not_instrument_zero() {
    let s = Scratch::new("read-bad");
    let dir = s.path("run");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        s.write(&format!("run/{name}"), text);
    };
    write(
        "bars.csv",
        "day,bar,time_ns,instrument,open,high,low,close,volume,trades,vwap,fundamental,best_bid,best_ask,time,bid_depth,ask_depth,bid_depth_1pct,ask_depth_1pct\n\
         1,1,1,SPX,1,1,1,1,0,0,,1,,,,0,0,0,0\n",
    );
    write(
        "flows.csv",
        "day,bar,time_ns,instrument,class,motive,buy_units,sell_units,net_units,buy_usd,sell_usd,net_usd,time\n\
         1,1,1,XYZ,noise,noise,1,0,1,1,0,1,\n",
    );
    for (name, header) in [
        (
            "positions.csv",
            "day,instrument,class,agents,position_units,exposure_usd,cash_usd,date\n",
        ),
        (
            "events.csv",
            "time_ns,day,kind,instrument,value,detail,time\n",
        ),
        (
            "state.csv",
            "day,time_ns,agent,class,instrument,metric,at,value,time\n",
        ),
    ] {
        write(name, header);
    }
    let err = RunRecords::read(&dir).unwrap_err().to_string();
    assert!(err.contains("flows.csv") && err.contains("XYZ"), "{err}");
}
