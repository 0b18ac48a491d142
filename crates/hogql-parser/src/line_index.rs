//! Byte offset → line/column, computed only when something is displayed.

/// Line starts of a text, for turning byte offsets into (line, column).
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the first character of every line; `line_starts[0] == 0`.
    line_starts: Vec<u32>,
    /// Number of characters before each line start (for character offsets).
    char_starts: Vec<u32>,
}

/// A position for display: `line` is 1-based, `column` 0-based in characters (Unicode scalar
/// values) from the line start, `offset` the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut char_starts = vec![0];
        let mut chars = 0u32;
        for (i, b) in text.bytes().enumerate() {
            // count UTF-8 lead bytes: one per character
            if b & 0xC0 != 0x80 {
                chars += 1;
            }
            if b == b'\n' {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
                char_starts.push(chars);
            }
        }
        LineIndex {
            line_starts,
            char_starts,
        }
    }

    /// The position of `offset` in `text` (the text this index was built from). Offsets past
    /// the end or inside a UTF-8 sequence are clamped to the nearest valid position before them.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let mut off = (offset as usize).min(text.len());
        while !text.is_char_boundary(off) {
            off -= 1;
        }
        let line = match self.line_starts.binary_search(&(off as u32)) {
            Ok(i) => i,
            Err(i) => i - 1, // i >= 1 because line_starts[0] == 0 <= off
        };
        let start = self.line_starts[line] as usize;
        let column = text[start..off].chars().count();
        LineCol {
            line: line as u32 + 1,
            column: column as u32,
            offset: off as u32,
        }
    }
}

impl LineIndex {
    /// The offset of `offset` (a byte offset) in characters from the start of `text`.
    pub fn char_offset(&self, text: &str, offset: u32) -> u32 {
        let lc = self.line_col(text, offset);
        self.char_starts[(lc.line - 1) as usize] + lc.column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\nc€d\n";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.line_col(text, 0),
            LineCol {
                line: 1,
                column: 0,
                offset: 0
            }
        );
        assert_eq!(
            idx.line_col(text, 3),
            LineCol {
                line: 2,
                column: 0,
                offset: 3
            }
        );
        // `d` follows the 3-byte euro sign: column 2 in characters.
        assert_eq!(
            idx.line_col(text, 7),
            LineCol {
                line: 2,
                column: 2,
                offset: 7
            }
        );
        // inside the euro sign: clamped back to its start
        assert_eq!(
            idx.line_col(text, 5),
            LineCol {
                line: 2,
                column: 1,
                offset: 4
            }
        );
        assert_eq!(idx.line_col(text, 99).line, 3);
        assert_eq!(idx.char_offset(text, 7), 5);
    }
}
