//! Counterfactual scenarios: the same scenario without some agent classes. Every remaining
//! agent keeps its stable id and so its random stream, so a rerun with the same seed differs
//! only by what the removed classes did (and what that did to everyone else).

use super::schema::Scenario;
use crate::agents::AgentClass;

/// `s` without the agents of `classes` (real money removes pension funds and long-term
/// managers; exogenous removes flow programmes).
pub fn without(s: &Scenario, classes: &[AgentClass]) -> Scenario {
    let mut s = s.clone();
    let a = &mut s.agents;
    for c in classes {
        match c {
            AgentClass::MarketMaker => a.market_maker = None,
            AgentClass::Noise => a.noise = None,
            AgentClass::Value => a.value = None,
            AgentClass::Exogenous => s.flows.clear(),
            AgentClass::VolTarget => a.vol_target = None,
            AgentClass::Letf => a.letf = None,
            AgentClass::Cta => a.cta = None,
            AgentClass::Dealer => a.dealer = None,
            AgentClass::ShortSeller => a.short_seller = None,
            AgentClass::Hedger => a.hedger = None,
            AgentClass::RealMoney => {
                a.pension = None;
                a.long_term = None;
            }
            // Without the customers as an agent, deliveries stay in the ledger's account.
            AgentClass::OptionsCustomer => {
                if let Some(d) = a.dealer.as_mut() {
                    d.customer_unwind = false;
                }
            }
        }
    }
    s.name = format!(
        "{}-without-{}",
        s.name,
        classes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("-")
    );
    s
}

/// Whether `s` has agents of `class` (so removing it changes something).
pub fn has(s: &Scenario, class: AgentClass) -> bool {
    let a = &s.agents;
    match class {
        AgentClass::MarketMaker => a.market_maker.as_ref().is_some_and(|c| c.count > 0),
        AgentClass::Noise => a.noise.as_ref().is_some_and(|c| c.count > 0),
        AgentClass::Value => a.value.as_ref().is_some_and(|c| c.count > 0),
        AgentClass::Exogenous => !s.flows.is_empty(),
        AgentClass::VolTarget => a.vol_target.as_ref().is_some_and(|c| c.count > 0),
        AgentClass::Letf => a.letf.as_ref().is_some_and(|c| !c.funds.is_empty()),
        AgentClass::Cta => a.cta.as_ref().is_some_and(|c| c.count > 0),
        AgentClass::Dealer => a.dealer.as_ref().is_some_and(|c| c.count > 0),
        AgentClass::ShortSeller => a.short_seller.as_ref().is_some_and(|c| c.count > 0),
        AgentClass::Hedger => a.hedger.as_ref().is_some_and(|c| c.count > 0),
        AgentClass::RealMoney => {
            a.pension.as_ref().is_some_and(|c| c.count > 0)
                || a.long_term.as_ref().is_some_and(|c| c.count > 0)
        }
        AgentClass::OptionsCustomer => a
            .dealer
            .as_ref()
            .is_some_and(super::build::unwinding_customers),
    }
}

/// Parses a comma-separated list of class names (`letf,cta`); `mechanical` stands for all the
/// mechanical-flow classes.
pub fn parse_classes(list: &str) -> Result<Vec<AgentClass>, String> {
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name == "mechanical" {
            out.extend(AgentClass::MECHANICAL);
            continue;
        }
        match AgentClass::parse(name) {
            Some(c) => out.push(c),
            None => {
                return Err(format!(
                    "unknown agent class {name:?}: expected one of {} or mechanical",
                    AgentClass::ALL.map(|c| c.as_str()).join(", ")
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err("no agent class given".into());
    }
    Ok(out)
}
