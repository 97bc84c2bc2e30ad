//! How the command writes counts in sentences.

/// `1 pathway`, `2 pathways`: the count and the noun, plural when the count is not 1. Only for
/// nouns whose plural adds an `s`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(0, "rule"), "0 rules");
        assert_eq!(count(1, "rule"), "1 rule");
        assert_eq!(count(2, "rule"), "2 rules");
    }
}
