//! Structure-aware generators, one per parser, each fed the words of its format.

pub mod ldif;
pub mod scenario;
pub mod settings;

/// Words of a format: keys (or attribute names), sections (or DNs) and values.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    pub keys: Vec<String>,
    pub sections: Vec<String>,
    pub words: Vec<String>,
}

impl Vocabulary {
    /// Sorted and deduplicated, so the same corpus gives the same vocabulary.
    pub fn dedup(&mut self) {
        for list in [&mut self.keys, &mut self.sections, &mut self.words] {
            list.sort();
            list.dedup();
        }
    }

    /// Every word, for token-level mutation.
    pub fn all(&self) -> Vec<String> {
        let mut all: Vec<String> = self.keys.iter().chain(&self.sections).cloned().collect();
        all.extend(self.words.iter().cloned());
        all
    }
}
