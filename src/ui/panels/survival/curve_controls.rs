//! The curves: which patients, the time and its event, the groups.

use leptos::prelude::*;

use super::of_kind;
use crate::engine::data::{ColumnKind, MAX_NUMERIC_LEVELS};
use crate::engine::study::CompetingStep;
use crate::report::study::{StudyCohort, MATCHED_SET_COLUMN};
use crate::ui::components::column_select::ColumnSelect;
use crate::ui::state::AppState;

#[component]
pub fn CurveControls() -> impl IntoView {
    let state = AppState::get();
    let sv = state.survival;
    let groups = sv.groups.get_untracked();
    let g1 = groups.first().cloned();
    let g2 = groups.get(1).cloned();
    let cats = state.group_columns(MAX_NUMERIC_LEVELS);
    let set_event = Callback::new(move |e: Option<String>| {
        sv.event.set(e);
        sv.event_level.set(None);
    });
    let set_group = Callback::new(move |g: Option<String>| {
        sv.groups.update(|v| {
            let second = v.get(1).cloned();
            v.clear();
            if let Some(g) = g {
                v.push(g);
                v.extend(second);
            }
        });
    });
    let set_group2 = Callback::new(move |g: Option<String>| {
        sv.groups.update(|v| {
            v.truncate(1);
            if let Some(g) = g.filter(|_| !v.is_empty()) {
                v.push(g);
            }
        });
    });
    let event_kinds = [
        ColumnKind::Binary,
        ColumnKind::Categorical,
        ColumnKind::Numeric,
    ];
    view! {
        <label title="After matching, the model study compared survival in the matched cohort.">
            "Patients "
            <select id="s-cohort" on:change=move |ev| {
                let all = event_target_value(&ev) == "all";
                if all && sv.cluster.get_untracked().as_deref() == Some(MATCHED_SET_COLUMN) {
                    sv.cluster.set(None);
                }
                sv.cohort.set(if all { StudyCohort::All } else { StudyCohort::Matched });
            }>
                <option value="matched" selected=sv.cohort.get_untracked() == StudyCohort::Matched>"matched cohort"</option>
                <option value="all" selected=sv.cohort.get_untracked() == StudyCohort::All>"all patients"</option>
            </select>
        </label>
        <label>
            "Time "
            <ColumnSelect
                id="s-time"
                options=of_kind(state, &[ColumnKind::Numeric])
                value=sv.time.get_untracked()
                on_change=Callback::new(move |t| sv.time.set(t))
            />
        </label>
        <label>
            "Event "
            <ColumnSelect id="s-event" options=of_kind(state, &event_kinds) value=sv.event.get_untracked() on_change=set_event />
        </label>
        <label title="The code of the event (e.g. 1 of a 0/1/2 status, whose 2 is a competing event, censored here). Empty: the default (1 of 0/1, 2 of 1/2).">
            "Event code "
            <input
                id="s-event-level"
                size="6"
                placeholder="default"
                prop:value=move || sv.event_level.get().unwrap_or_default()
                on:change=move |ev| {
                    let v = event_target_value(&ev).trim().to_owned();
                    sv.event_level.set((!v.is_empty()).then_some(v));
                }
            />
        </label>
        <CompetingControls />
        <label>
            "Curves by "
            <ColumnSelect id="s-group" options=cats.clone() value=g1 none=true on_change=set_group />
        </label>
        <label title="Cross with a second variable, e.g. marking x pCR for four curves.">
            "and by "
            <ColumnSelect id="s-group2" options=cats value=g2 none=true on_change=set_group2 />
        </label>
    }
}

/// The competing-risks switch: the event code above is the event of
/// interest; these codes are competing events (every other code is
/// censored). On: the cumulative incidence of each cause, Gray's test,
/// and the Fine-Gray and cause-specific Cox models beside the curves.
#[component]
fn CompetingControls() -> impl IntoView {
    let sv = AppState::get().survival;
    let levels_text = move || {
        sv.competing
            .get()
            .map(|c| c.competing_levels.join(", "))
            .unwrap_or_default()
    };
    view! {
        <label title="When the event column also codes a competing event (e.g. 2 = death without recurrence of a 0/1/2 status), Kaplan-Meier with it censored overstates the risk: cumulative incidence, Gray's test and the Fine-Gray model account for it.">
            <input
                type="checkbox"
                id="s-competing"
                prop:checked=move || sv.competing.with(Option::is_some)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    sv.competing.set(on.then(|| CompetingStep {
                        event_level: sv.event_level.get_untracked().unwrap_or_default(),
                        competing_levels: Vec::new(),
                        variance: Default::default(),
                        covariates: None,
                    }));
                }
            />
            " Competing risks"
        </label>
        {move || sv.competing.with(Option::is_some).then(|| view! {
            <label title="The codes of the competing events, comma-separated (e.g. 2). Codes neither the event nor competing are censored.">
                "competing codes "
                <input
                    id="s-competing-levels"
                    size="8"
                    placeholder="e.g. 2"
                    prop:value=levels_text
                    on:change=move |ev| {
                        let levels: Vec<String> = event_target_value(&ev)
                            .split(',')
                            .map(|t| t.trim().to_owned())
                            .filter(|t| !t.is_empty())
                            .collect();
                        sv.competing.update(|c| {
                            if let Some(c) = c {
                                c.competing_levels = levels;
                            }
                        });
                    }
                />
            </label>
        })}
    }
}
