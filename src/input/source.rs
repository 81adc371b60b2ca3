//! Reading input files (scenarios, manifests, sweeps, traces) as text, so that
//! every problem names where it is: an I/O error names the path, invalid UTF-8
//! names the line and column of the first bad byte.

use super::diagnostic::{Diagnostic, Pos};
use std::cell::RefCell;
use std::path::Path;

/// A file read as input, and the SHA-256 of its bytes (lowercase hex).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InputFile {
    pub path: String,
    pub sha256: String,
}

/// The SHA-256 of each file, read again (a GPU trace's node and pod lists,
/// for the manifest); a file that cannot be read gets an empty digest.
pub fn hash_files(paths: &[&std::path::Path]) -> Vec<InputFile> {
    paths
        .iter()
        .map(|p| InputFile {
            path: p.display().to_string(),
            sha256: std::fs::read(p).map_or_else(|_| String::new(), |b| sha256_hex(&b)),
        })
        .collect()
}

/// SHA-256 of `data` as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(data))
}

thread_local! {
    /// The files [`read_utf8`] read while [`recording_reads`] runs on this
    /// thread. A scenario's included files are read deep in its decoding;
    /// this is how the loader learns which, without every decoder passing a
    /// list along.
    static READS: RefCell<Option<Vec<InputFile>>> = const { RefCell::new(None) };
}

/// Runs `f` and returns what it returned and the files [`read_utf8`] read
/// meanwhile, each once, in the order first read.
pub fn recording_reads<T>(f: impl FnOnce() -> T) -> (T, Vec<InputFile>) {
    let outer = READS.with(|r| r.borrow_mut().replace(Vec::new()));
    let value = f();
    let reads = READS.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer));
    let reads = reads.unwrap_or_default();
    for read in &reads {
        note_read(read.clone());
    }
    (value, reads)
}

/// Adds a file to the reads being recorded, if any (once per path).
pub fn note_read(file: InputFile) {
    READS.with(|r| {
        if let Some(list) = r.borrow_mut().as_mut() {
            if !list.iter().any(|f| f.path == file.path) {
                list.push(file);
            }
        }
    });
}

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be read at all; the caller says where it was named.
    Io(std::io::Error),
    /// Not UTF-8: located at the first invalid byte, in the file itself.
    NotUtf8(Diagnostic),
}

/// Reads `path` as UTF-8 text. `what` names the file's role in the message
/// ("the scenario file", "the trace file"). A file that cannot be read gives a
/// diagnostic naming the path (line 0: it is about the file as a whole); one
/// that is not UTF-8 gives the line and column of its first invalid byte.
pub fn read_text(path: &Path, what: &str) -> Result<String, Diagnostic> {
    read_utf8(path, what).map_err(|e| match e {
        ReadError::Io(e) => Diagnostic::new(
            path.display().to_string(),
            Pos::default(),
            "",
            format!("cannot read {what}: {e}"),
        ),
        ReadError::NotUtf8(d) => d,
    })
}

/// [`read_text`] for a file named by another (a manifest, a scheduler
/// configuration, a trace): the caller reports an I/O error at the reference.
pub fn read_utf8(path: &Path, what: &str) -> Result<String, ReadError> {
    let bytes = crate::input::read_bytes(path).map_err(ReadError::Io)?;
    note_read(InputFile {
        path: path.display().to_string(),
        sha256: sha256_hex(&bytes),
    });
    String::from_utf8(bytes).map_err(|e| {
        let valid_up_to = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let byte = bytes[valid_up_to];
        ReadError::NotUtf8(Diagnostic::new(
            path.display().to_string(),
            position_of_byte(bytes, valid_up_to),
            "",
            format!(
                "{what} is not valid UTF-8: byte 0x{byte:02x} at offset {valid_up_to}; \
                 save the file as UTF-8"
            ),
        ))
    })
}

/// The 1-based line and column (in characters) of byte `offset` of `bytes`,
/// whose first `offset` bytes are valid UTF-8.
fn position_of_byte(bytes: &[u8], offset: usize) -> Pos {
    let before = std::str::from_utf8(&bytes[..offset]).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    Pos::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kubesim-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn invalid_utf8_names_line_and_column_of_the_first_bad_byte() {
        // Line 3 is "  é\xff": the bad byte is the 4th character of the line.
        let path = write("bad.yaml", b"a: 1\nb:\n  \xc3\xa9\xff\n");
        let d = read_text(&path, "the scenario file").unwrap_err();
        assert_eq!(d.pos, Pos::new(3, 4));
        assert_eq!(d.file, path.display().to_string());
        assert!(
            d.message
                .starts_with("the scenario file is not valid UTF-8: byte 0xff at offset 12"),
            "{}",
            d.message
        );
        assert_eq!(
            read_text(&write("ok.yaml", b"a: 1\n"), "x").unwrap(),
            "a: 1\n"
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let path = std::env::temp_dir().join("kubesim-no-such-file.yaml");
        let d = read_text(&path, "the trace file").unwrap_err();
        assert_eq!(d.file, path.display().to_string());
        assert_eq!(d.pos.line, 0);
        assert!(
            d.message.starts_with("cannot read the trace file: "),
            "{}",
            d.message
        );
    }
}
