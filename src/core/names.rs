//! Looking names up in lists: an object's keys, a release's variables, a
//! configuration's values.

/// Names looked up in O(log n): where the first of each name stands in a
/// list. An object's members, a release's variables and a configuration's
/// values were once searched front to back for every name, which made
/// validation quadratic (500 variables took 2.6 ms natively; see
/// BENCHMARKS.md).
///
/// A sorted vector, not a `BTreeMap` or a `HashMap`: one sort and a binary
/// search are all the lookups need, they compile smaller, and the core stays
/// free of randomness (`HashMap`'s seeds). Each name is sorted by a hash of
/// it first, so a lookup compares integers, not names that share a prefix
/// (`VAR_1`, `VAR_2`, …); names whose hashes collide are still ordered by
/// their text, so a hostile set of colliding names costs no more than
/// comparing names would.
pub(crate) struct Names<'a>(Vec<(u64, &'a str, usize)>);

impl<'a> Names<'a> {
    /// Indexes `names` by their position in the list.
    pub(crate) fn new(names: impl Iterator<Item = &'a str>) -> Names<'a> {
        Names::from_dyn(&mut { names })
    }

    // One body for every kind of list, not one per caller's iterator: the
    // module is downloaded on every first visit.
    #[inline(never)]
    fn from_dyn(names: &mut dyn Iterator<Item = &'a str>) -> Names<'a> {
        let mut sorted: Vec<(u64, &'a str, usize)> = Vec::with_capacity(names.size_hint().0);
        for (i, name) in names.enumerate() {
            sorted.push((fnv1a(name), name, i));
        }
        // Equal names sort by position, so the first of them comes first.
        heap_sort(&mut sorted);
        Names(sorted)
    }

    /// Whether a name appears twice. Most lists have no repeated name, and
    /// their callers then need no lookup to tell a first from a repeat.
    pub(crate) fn repeats(&self) -> bool {
        self.0.windows(2).any(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
    }

    /// The position of the first `name` in the list.
    #[inline(never)]
    pub(crate) fn first(&self, name: &str) -> Option<usize> {
        let hash = fnv1a(name);
        // Names are compared only where the hash matches: all but never before the end.
        let at = self.0.partition_point(|(h, n, _)| *h < hash || (*h == hash && *n < name));
        self.0.get(at).filter(|(h, n, _)| *h == hash && *n == name).map(|(_, _, i)| *i)
    }
}

/// Sorts in place, in O(n log n) at worst. Hand-written because the
/// standard library's sorts are built for speed on any input, and their
/// code weighs: with `sort_unstable` here the module was 93,378 B gzip, with
/// this heapsort 91,861 B (the loader is downloaded on every first visit).
fn heap_sort<T: Ord>(v: &mut [T]) {
    fn sift_down<T: Ord>(v: &mut [T], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    for i in (0..v.len() / 2).rev() {
        sift_down(v, i, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// The 64-bit FNV-1a hash: a sort key, not a defence (see [`Names`]). Five
/// lines, written here rather than taken from a crate for them.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_find_the_first_of_each_name_in_long_lists() {
        let list: Vec<String> = (0..40).map(|i| format!("VAR_{}", i % 30)).collect();
        let names = Names::new(list.iter().map(String::as_str));
        assert!(names.repeats());
        assert_eq!(names.first("VAR_3"), Some(3));
        assert_eq!(names.first("VAR_29"), Some(29));
        assert_eq!(names.first("VAR_30"), None);
        assert!(!Names::new(list[..30].iter().map(String::as_str)).repeats());
    }

    #[test]
    fn heap_sort_sorts() {
        // A fixed shuffle of 0..500, with repeats.
        let mut v: Vec<u32> = (0..500u32).map(|i| (i * 7919) % 331).collect();
        let mut expected = v.clone();
        expected.sort();
        heap_sort(&mut v);
        assert_eq!(v, expected);
        heap_sort(&mut Vec::<u32>::new());
    }
}
