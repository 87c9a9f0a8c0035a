//! What a list says about one community, before normalisation.

/// One item of a public list, as the list wrote it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawEntry {
    pub name: String,
    pub url: String,
    pub description: Option<String>,
    /// The headings the item sat under, outermost first (an awesome list's
    /// sections), or a category column: evidence for its fields.
    pub headings: Vec<String>,
    pub tags: Vec<String>,
    /// A platform the source states for this item (a column, a site type).
    pub platform: Option<String>,
    /// A language the source states for this item.
    pub language: Option<String>,
    pub member_count: Option<u64>,
    pub homepage: Option<String>,
}
