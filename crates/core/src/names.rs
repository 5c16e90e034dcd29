//! Looking names up in lists: an object's keys, a release's variables, a
//! configuration's values.

/// Names looked up in O(1): where the first of each name stands in a list.
/// An object's members, a release's variables and a configuration's values
/// were once searched front to back for every name, which made validation
/// quadratic (500 variables took 2.6 ms natively; see BENCHMARKS.md).
///
/// A hash table of its own (open addressing, linear probing, at most half
/// full), not `HashMap`: the reason is ARCHITECTURE.md's ("Hand-written
/// parts"). Its hash, FNV-1a, is not keyed (the core has no randomness): a
/// hostile list of names could land in one long run of full slots (names
/// with one home slot, each insertion walking the run; or names with
/// consecutive ones, no insertion walking at all), and each lookup would
/// walk it. So no run may be longer than [`MAX_RUN`] slots, which a half-full
/// table of ordinary names all but never has; past it the table gives way to
/// a sorted index (a heapsort by hash, then by name, and a binary search):
/// O(n log n) to build and O(log n) a lookup, whatever the names. The sorted
/// index alone was this type until validate-500's budget (BENCHMARKS.md):
/// sorting was a fifth of a check's time.
pub(crate) struct Names<'a> {
    names: Vec<&'a str>,
    index: Index,
    repeats: bool,
}

enum Index {
    /// Each slot: a name's 32-bit hash and its position + 1 (0 when empty).
    Table(Vec<(u32, u32)>),
    /// (hash, position), sorted by hash, then name, then position.
    Sorted(Vec<(u32, usize)>),
}

/// The longest run of full slots a table may have: the most a lookup walks.
/// In a half-full table, a run of 128 is about e^-25 likely at any slot.
const MAX_RUN: usize = 128;

impl<'a> Names<'a> {
    /// Indexes `names` by their position in the list.
    pub(crate) fn new(names: impl Iterator<Item = &'a str>) -> Names<'a> {
        Names::from_dyn(&mut { names })
    }

    // One body for every kind of list, not one per caller's iterator: the
    // module is downloaded on every first visit.
    #[inline(never)]
    fn from_dyn(names: &mut dyn Iterator<Item = &'a str>) -> Names<'a> {
        let names: Vec<&'a str> = names.collect();
        let mut table = vec![(0, 0); (names.len() * 2).next_power_of_two()];
        let mut repeats = false;
        for (i, name) in names.iter().enumerate() {
            let hash = fnv1a(name);
            match probe(&table, &names, hash, name) {
                Ok(_) => repeats = true,
                // (A position fits in a u32: a document is at most 1 MB.)
                Err((at, walked)) if walked < MAX_RUN => table[at] = (hash, i as u32 + 1),
                Err(_) => return Names::sorted(names),
            }
        }
        // Runs that no insertion walked (consecutive home slots): twice
        // round, for a run that wraps past the end.
        let mut run = 0;
        for (_, p) in table.iter().chain(&table) {
            run = if *p == 0 { 0 } else { run + 1 };
            if run > MAX_RUN {
                return Names::sorted(names);
            }
        }
        Names { names, index: Index::Table(table), repeats }
    }

    #[cold]
    #[inline(never)]
    fn sorted(names: Vec<&'a str>) -> Names<'a> {
        let mut sorted: Vec<(u32, usize)> = names.iter().enumerate().map(|(i, name)| (fnv1a(name), i)).collect();
        // Equal names sort by position, so the first of them comes first.
        heap_sort_by_key(&mut sorted, |(h, i)| (*h, names[*i], *i));
        let repeats = sorted.windows(2).any(|w| (w[0].0, names[w[0].1]) == (w[1].0, names[w[1].1]));
        Names { names, index: Index::Sorted(sorted), repeats }
    }

    /// Whether a name appears twice. Most lists have no repeated name, and
    /// their callers then need no lookup to tell a first from a repeat.
    pub(crate) fn repeats(&self) -> bool {
        self.repeats
    }

    /// The position of the first `name` in the list.
    #[inline(never)]
    pub(crate) fn first(&self, name: &str) -> Option<usize> {
        let hash = fnv1a(name);
        match &self.index {
            Index::Table(table) => probe(table, &self.names, hash, name).ok(),
            Index::Sorted(sorted) => {
                let key = (hash, name);
                let at = sorted.partition_point(|(h, i)| (*h, self.names[*i]) < key);
                sorted.get(at).filter(|(h, i)| (*h, self.names[*i]) == key).map(|(_, i)| *i)
            }
        }
    }
}

/// Where `name` stands in `table`: `Ok(position)`, or `Err((the empty slot
/// that would hold it, slots walked before it))`.
fn probe(table: &[(u32, u32)], names: &[&str], hash: u32, name: &str) -> Result<usize, (usize, usize)> {
    let mask = table.len() - 1;
    let mut at = hash as usize & mask;
    let mut walked = 0;
    loop {
        match table[at] {
            (_, 0) => return Err((at, walked)),
            (h, p) if h == hash && names[p as usize - 1] == name => return Ok(p as usize - 1),
            _ => {}
        }
        walked += 1;
        at = (at + 1) & mask;
    }
}

/// Sorts in place, in O(n log n) at worst. Hand-written because the
/// standard library's sorts are built for speed on any input, and their
/// code weighs: with `sort_unstable` here the module was 93,378 B gzip, with
/// this heapsort 91,861 B (the loader is downloaded on every first visit).
fn heap_sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    let sift_down = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && key(&v[child]) < key(&v[child + 1]) {
            child += 1;
        }
        if key(&v[root]) >= key(&v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    };
    for i in (0..v.len() / 2).rev() {
        sift_down(v, i, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// The 32-bit FNV-1a hash: a table's key, not a defence (see [`Names`]).
/// Two lines, written here rather than taken from a crate for them.
fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
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

    /// `count` names, the i-th with its home slot at `home(i)` in a table of `slots`.
    fn names_at(count: usize, slots: u32, home: impl Fn(usize) -> u32) -> Vec<String> {
        let mut tries = (0..).map(|k| format!("k{k}"));
        (0..count).map(|i| tries.by_ref().find(|k| fnv1a(k) & (slots - 1) == home(i)).unwrap()).collect()
    }

    #[test]
    fn names_that_share_a_home_slot_give_way_to_the_sorted_index() {
        // 199 names that all start at slot 5 of a 512-slot table, and one repeat.
        let mut list = names_at(199, 512, |_| 5);
        list.push(list[10].clone());
        let names = Names::new(list.iter().map(String::as_str));
        assert!(matches!(names.index, Index::Sorted(_)));
        assert!(names.repeats());
        assert_eq!(names.first(&list[10]), Some(10));
        assert_eq!(names.first(&list[198]), Some(198));
        assert_eq!(names.first("k"), None);
    }

    #[test]
    fn names_with_consecutive_home_slots_give_way_to_the_sorted_index() {
        // No insertion walks, but the 200 names fill one run of 200 slots
        // (wrapping past the end of the table), which every lookup that
        // lands in it would walk.
        let list = names_at(200, 512, |i| (400 + i as u32) % 512);
        let names = Names::new(list.iter().map(String::as_str));
        assert!(matches!(names.index, Index::Sorted(_)));
        assert!(!names.repeats());
        assert_eq!(names.first(&list[150]), Some(150));
        // The same count of ordinary names keeps the table.
        let plain: Vec<String> = (0..200).map(|i| format!("VAR_{i}")).collect();
        let names = Names::new(plain.iter().map(String::as_str));
        assert!(matches!(names.index, Index::Table(_)));
        assert!(!names.repeats());
        assert_eq!(names.first("VAR_199"), Some(199));
        assert_eq!(names.first("VAR_200"), None);
    }

    #[test]
    fn the_table_and_the_sorted_index_answer_alike() {
        let lists: [&[&str]; 4] = [&[], &["a"], &["a", "b", "a", "c", "b", "b"], &["x", "y", "z", "y"]];
        for list in lists {
            let table = Names::new(list.iter().copied());
            assert!(matches!(table.index, Index::Table(_)));
            let sorted = Names::sorted(list.to_vec());
            assert_eq!(table.repeats(), sorted.repeats(), "{list:?}");
            for name in list.iter().copied().chain(["absent", ""]) {
                assert_eq!(table.first(name), sorted.first(name), "{name} in {list:?}");
            }
        }
    }

    #[test]
    fn the_benchs_names_keep_the_table() {
        // validate-5000 measures the table, not the fallback.
        let list: Vec<String> = (0..5000).map(|i| format!("VAR_{i}")).collect();
        assert!(matches!(Names::new(list.iter().map(String::as_str)).index, Index::Table(_)));
    }

    #[test]
    fn heap_sort_sorts() {
        // A fixed shuffle of 0..500, with repeats.
        let mut v: Vec<u32> = (0..500u32).map(|i| (i * 7919) % 331).collect();
        let mut expected = v.clone();
        expected.sort();
        heap_sort_by_key(&mut v, |x| *x);
        assert_eq!(v, expected);
        heap_sort_by_key(&mut Vec::<u32>::new(), |x| *x);
    }
}
