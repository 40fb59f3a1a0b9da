//! The app's keyed lists (waiting reports, tickets, campaigns) as one `<For>` over ids.

use leptos::prelude::*;
use std::sync::Arc;

/// A card for each id, keyed by id only: a card stays in place while its record changes
/// (each card follows its record by id). One `<For>` type for every list, so the keyed
/// renderer is compiled once instead of once per item type.
pub fn keyed_by_id(
    ids: Signal<Vec<String>>,
    card: Arc<dyn Fn(String) -> AnyView + Send + Sync>,
) -> impl IntoView {
    view! { <For each=move || ids.get() key=|id| id.clone() children=move |id| card(id)/> }
}
