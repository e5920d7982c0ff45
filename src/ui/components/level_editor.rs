//! Order, merge and pick the reference level of a categorical column.

use leptos::prelude::*;

use crate::engine::data::ColumnSummary;
use crate::ui::components::level_item::LevelItem;
use crate::ui::components::level_merge::LevelMerge;
use crate::ui::components::level_reference::LevelReference;

#[component]
pub fn LevelEditor(column: ColumnSummary) -> impl IntoView {
    let Some(levels) = column.levels.as_ref() else {
        return ().into_any();
    };
    let levels: Vec<String> = levels.iter().map(|l| l.level.clone()).collect();
    let reference = column
        .reference
        .as_ref()
        .and_then(|r| levels.iter().position(|l| l == r))
        .unwrap_or(0);
    let name = column.name.clone();
    let checked = RwSignal::new(Vec::<String>::new());
    let items = (0..levels.len())
        .map(|i| {
            view! { <LevelItem column=name.clone() levels=levels.clone() index=i checked=checked /> }
        })
        .collect_view();
    view! {
        <div class="levels">
            <LevelReference column=name.clone() levels=levels.clone() reference=reference />
            <details>
                <summary>"Order or merge levels"</summary>
                <ul class="level-list">{items}</ul>
                <LevelMerge column=name checked=checked />
            </details>
        </div>
    }
    .into_any()
}
