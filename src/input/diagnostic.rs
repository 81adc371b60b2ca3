//! Where a problem with an input is and what it is: a file, a 1-based line
//! and column, a field path and a one-line message. Decoding collects every
//! problem of a file at once ([`Diagnostics`]) rather than stopping at the
//! first.

use std::fmt;

/// A 1-based line and column (in characters) in the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One problem in an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub pos: Pos,
    /// Field path such as `spec.containers[0].image`; empty for the document itself.
    pub field: String,
    pub message: String,
}

impl Diagnostic {
    pub fn new(
        file: impl Into<String>,
        pos: Pos,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            pos,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0 means the problem is with the file as a whole (it cannot be read).
        let file = super::quote::one_line(&self.file);
        if self.pos.line == 0 {
            write!(f, "{file}: ")?;
        } else {
            write!(f, "{file}:{}:{}: ", self.pos.line, self.pos.column)?;
        }
        // Found values are quoted in messages and field paths; however long they
        // are, the line shows a short prefix of each.
        if !self.field.is_empty() {
            write!(f, "{}: ", super::quote::shorten_quoted(&self.field))?;
        }
        f.write_str(&super::quote::shorten_quoted(&self.message))
    }
}

/// All problems found in one pass, in file order once built with [`Diagnostics::new`].
#[derive(Clone, Debug, Default, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Wraps and sorts by file, then line, then column; the sort is stable so problems
    /// found at the same spot keep the order they were found in.
    pub fn new(mut list: Vec<Diagnostic>) -> Self {
        list.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
        Diagnostics(list)
    }

    /// `Ok(value)` if no problem was recorded, otherwise all of them, sorted.
    pub fn check<T>(list: Vec<Diagnostic>, value: T) -> Result<T, Diagnostics> {
        if list.is_empty() {
            Ok(value)
        } else {
            Err(Diagnostics::new(list))
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(list: Vec<Diagnostic>) -> Self {
        Diagnostics::new(list)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}
