//! "Did you mean …?" by edit distance.

/// The closest candidate, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|&(d, c)| d <= limit || (c.len() > 3 && (c.starts_with(word) || word.starts_with(c))))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let names = ["provisioning", "data", "external"];
        assert_eq!(did_you_mean("provisoning", names), Some("provisioning"));
        assert_eq!(did_you_mean("dta", names), Some("data"));
        assert_eq!(did_you_mean("storage", names), None);
    }
}
