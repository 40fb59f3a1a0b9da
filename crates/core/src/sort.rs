//! One small stable sort for the app's short lists (campaigns, the outbox, the resident's
//! tickets: tens of items). std's stable sort (driftsort) costs ~4 KB of wasm for each type
//! it sorts; this insertion sort is a few hundred bytes, and on lists this short, most of
//! them already in order, it does no more work.

use std::cmp::Ordering;

/// Sorts `items` by `cmp`, keeping the order of equal items, as `slice::sort_by` does.
pub fn sort_by<T>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && cmp(&items[j - 1], &items[j]) == Ordering::Greater {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same order as std's stable sort, equal keys included: each item carries its
        /// original index, and the comparison looks only at the key.
        #[test]
        fn sorts_as_std_stable_sort(keys in proptest::collection::vec(0u8..6, 0..40)) {
            let tagged: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
            let mut ours = tagged.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std_sorted = tagged;
            std_sorted.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std_sorted);
        }
    }
}
