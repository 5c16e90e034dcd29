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
/// it, with a radix sort (linear in the number of names, whatever they are),
/// so a lookup compares integers, not names that share a prefix (`VAR_1`,
/// `VAR_2`, …). Names whose hashes collide are then ordered by their text,
/// so a hostile set of colliding names costs no more than comparing names
/// would.
pub(crate) struct Names<'a> {
    /// Each name's hash and position, sorted by hash, then name, then position.
    sorted: Vec<(u32, u32)>,
    /// The names, by position.
    names: Vec<&'a str>,
}

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
        let mut sorted: Vec<(u32, u32)> = names.iter().enumerate().map(|(i, n)| (hash(n), i as u32)).collect();
        // Stable: equal hashes keep their positions' order.
        radix_sort(&mut sorted);
        // Colliding hashes (all but never): those names by text, then position.
        let mut start = 0;
        while start < sorted.len() {
            let hash = sorted[start].0;
            let end = start + sorted[start..].iter().take_while(|(h, _)| *h == hash).count();
            if end - start > 1 {
                let mut run: Vec<(&str, u32)> = sorted[start..end].iter().map(|(_, i)| (names[*i as usize], *i)).collect();
                heap_sort(&mut run);
                for (slot, (_, i)) in sorted[start..end].iter_mut().zip(run) {
                    slot.1 = i;
                }
            }
            start = end;
        }
        Names { sorted, names }
    }

    /// Whether a name appears twice. Most lists have no repeated name, and
    /// their callers then need no lookup to tell a first from a repeat.
    pub(crate) fn repeats(&self) -> bool {
        self.sorted.windows(2).any(|w| w[0].0 == w[1].0 && self.name(w[0]) == self.name(w[1]))
    }

    /// The position of the first `name` in the list.
    #[inline(never)]
    pub(crate) fn first(&self, name: &str) -> Option<usize> {
        let hash = hash(name);
        // The name is read only where the hash matches: all but never before the end.
        let at = self.sorted.partition_point(|e| e.0 < hash || (e.0 == hash && self.name(*e) < name));
        self.sorted.get(at).filter(|e| e.0 == hash && self.name(**e) == name).map(|(_, i)| *i as usize)
    }

    fn name(&self, (_, i): (u32, u32)) -> &'a str {
        self.names[i as usize]
    }
}

/// Sorts by the hash, keeping the order of equal hashes: four passes of a
/// byte each, in O(n) whatever the hashes. Hand-written, as [`heap_sort`].
fn radix_sort(v: &mut Vec<(u32, u32)>) {
    if v.len() < 2 {
        return;
    }
    let mut from = std::mem::take(v);
    let mut to = from.clone();
    for shift in (0..32).step_by(8) {
        let digit = |e: &(u32, u32)| (e.0 >> shift) as usize & 0xff;
        let mut starts = [0usize; 256];
        for e in &from {
            starts[digit(e)] += 1;
        }
        let mut total = 0;
        for s in &mut starts {
            (*s, total) = (total, total + *s);
        }
        for e in &from {
            let d = digit(e);
            to[starts[d]] = *e;
            starts[d] += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    *v = from;
}

/// Sorts in place, in O(n log n) at worst. Hand-written because the
/// standard library's sorts are built for speed on any input, and their
/// code weighs: with `sort_unstable` here the module was 93,378 B gzip, with
/// this heapsort 91,861 B (the loader is downloaded on every first visit).
/// Used for names whose hashes collide.
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

/// A name's sort key: the high half of its 64-bit FNV-1a hash (a sort key,
/// not a defence: see [`Names`]). Thirty-two bits sort in half the passes of
/// sixty-four; two of 5,000 names share a key about once in 300 lists, and
/// those are then ordered by their text. Five lines, written here rather
/// than taken from a crate for them.
fn hash(s: &str) -> u32 {
    (s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)) >> 32) as u32
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
    fn radix_sort_sorts_by_hash_and_keeps_equal_hashes_in_order() {
        let mut v: Vec<(u32, u32)> = (0..500u32).map(|i| (((i * 7919) % 331) << (i % 24), i)).collect();
        let mut expected = v.clone();
        expected.sort_by_key(|e| e.0);
        radix_sort(&mut v);
        assert_eq!(v, expected);
    }

    #[test]
    fn colliding_hashes_are_ordered_by_name() {
        // Equal names share a hash: their run is sorted by name, then position.
        let names = Names::new(["b", "a", "b", "c"].into_iter());
        assert_eq!((names.first("a"), names.first("b"), names.first("c"), names.first("d")), (Some(1), Some(0), Some(3), None));
        assert!(names.repeats());
        let mut run = vec![("b", 2u32), ("a", 1), ("b", 0)];
        heap_sort(&mut run);
        assert_eq!(run, [("a", 1), ("b", 0), ("b", 2)]);
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
