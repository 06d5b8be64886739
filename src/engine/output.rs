//! Writing results: CSV or JSON Lines rows, events and rejects, and files that appear whole or
//! not at all.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The shape of output rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    /// Comma-separated, with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl OutFormat {
    /// JSON Lines for `.jsonl` / `.ndjson` paths, CSV otherwise.
    pub fn for_path(path: &str) -> Self {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            OutFormat::JsonLines
        } else {
            OutFormat::Csv
        }
    }
}

/// Appends a CSV field, quoted when it holds a comma, quote, line break or outer space.
#[inline(always)]
pub fn csv_field(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let spaced = b.first() == Some(&b' ') || b.last() == Some(&b' ');
    if spaced || !copy_plain(out, b) {
        quoted_field(out, s);
    }
}

/// Appends `s` quoted, its quotes doubled.
#[cold]
#[inline(never)]
fn quoted_field(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Appends `b` when it holds no comma, quote or line break, and says whether it did (else
/// `out` is left as it was). Ids are short: each 16 bytes are checked and copied with the same
/// load, which beats a search followed by a copy.
#[inline(always)]
fn copy_plain(out: &mut Vec<u8>, b: &[u8]) -> bool {
    let special = |c: u8| c == b',' || c == b'"' || c == b'\n' || c == b'\r';
    #[cfg(target_arch = "x86_64")]
    if b.len() >= 16 {
        let len = out.len();
        out.reserve(b.len());
        // SAFETY: SSE2 is part of the x86_64 baseline. Loads read `b[i..i + 16]` with
        // `i + 16 <= b.len()`; stores write `out`'s spare capacity at `len + i`, within the
        // `b.len()` bytes reserved; `set_len` covers exactly the bytes stored.
        unsafe {
            use core::arch::x86_64::*;
            let dst = out.as_mut_ptr().add(len);
            let mut hit = _mm_setzero_si128();
            let mut copy = |i: usize| {
                let v = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
                let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let any = _mm_or_si128(
                    _mm_or_si128(eq(b','), eq(b'"')),
                    _mm_or_si128(eq(b'\n'), eq(b'\r')),
                );
                hit = _mm_or_si128(hit, any);
                _mm_storeu_si128(dst.add(i) as *mut __m128i, v);
            };
            let mut i = 0;
            while i + 16 <= b.len() {
                copy(i);
                i += 16;
            }
            // The last 16 bytes again, overlapping what was copied: no byte loop for the tail.
            if i < b.len() {
                copy(b.len() - 16);
            }
            if _mm_movemask_epi8(hit) != 0 {
                return false;
            }
            out.set_len(len + b.len());
        }
        return true;
    }
    if b.iter().any(|&c| special(c)) {
        return false;
    }
    out.extend_from_slice(b);
    true
}

/// Bytes appended to every row (a row's `,stage,rule` ending), kept padded to whole 32-byte
/// pieces so that appending them copies fixed-size pieces: a copy of varying length is a call
/// whose setup costs more than these few bytes.
#[derive(Clone, Debug)]
pub struct Padded {
    bytes: Vec<u8>,
    len: usize,
}

impl Padded {
    /// `b`, padded.
    pub fn new(mut b: Vec<u8>) -> Self {
        let len = b.len();
        b.resize(len.div_ceil(32).max(1) * 32, 0);
        Padded { bytes: b, len }
    }

    /// Appends the bytes to `out`.
    #[inline(always)]
    pub fn append_to(&self, out: &mut Vec<u8>) {
        let n = self.bytes.len();
        out.reserve(n);
        let len = out.len();
        // SAFETY: `reserve` made room for `n` bytes past `len`; each copy moves 32 bytes from
        // `bytes[i..i + 32]` (`n` is a multiple of 32) to that room; `set_len` then covers the
        // `self.len <= n` bytes that are the value, all written.
        unsafe {
            let dst = out.as_mut_ptr().add(len);
            let mut i = 0;
            while i < n {
                std::ptr::copy_nonoverlapping(self.bytes.as_ptr().add(i), dst.add(i), 32);
                i += 32;
            }
            out.set_len(len + self.len);
        }
    }
}

/// Appends a JSON string literal.
pub fn json_str(out: &mut Vec<u8>, s: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A file written beside its target under a temporary name and renamed over it only when
/// [`AtomicFile::commit`] is called; dropped without commit, the temporary file is removed.
/// A target that exists and is not a regular file (`/dev/null`, `/dev/full`, a named pipe) is
/// written directly: it cannot be replaced, and holds nothing to protect.
pub struct AtomicFile {
    target: PathBuf,
    /// The temporary file, when writing through one.
    temp: Option<PathBuf>,
    writer: Option<BufWriter<File>>,
    /// Bytes written in all, through the writer's buffer.
    written: u64,
    /// Bytes before this were handed to a sync step; those after it wait for the next.
    step_from: u64,
    /// Bytes before this are on disk (Linux: waited for with `sync_file_range`).
    synced_to: u64,
}

/// Written bytes past which a temporary file is synced while the run goes on, so that the
/// sync before the rename has little left to do. The batch driver writes from a thread of
/// its own while workers decide, so these syncs overlap the work. Measured on a 60 MB output:
/// 4 MiB beats 16 MiB by about 10% of a one-thread run (a long sync holds the writing thread
/// past the workers' block and leaves more for the final sync) and 1 MiB (syncs too many).
/// On Linux a step's bytes are waited for one step later (see `sync_now_and_then`): on a 66 MB
/// output the writing thread then blocks about 45 ms in all instead of 65-90 ms with
/// `fdatasync`, and the final sync waits about 1.3 ms.
const SYNC_EVERY: usize = 4 << 20;

impl AtomicFile {
    /// Creates the temporary file next to `target` (or opens a special file directly).
    pub fn create(target: &str) -> io::Result<Self> {
        let mut target = PathBuf::from(target);
        // Write through a symbolic link: the file it names is replaced, the link is kept.
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
            target = std::fs::canonicalize(&target)?;
        }
        if std::fs::metadata(&target).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = std::fs::OpenOptions::new().write(true).open(&target)?;
            return Ok(AtomicFile {
                target,
                temp: None,
                writer: Some(BufWriter::with_capacity(1 << 20, file)),
                written: 0,
                step_from: 0,
                synced_to: 0,
            });
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let temp = dir.join(format!(".{name}.revc-{}.tmp", std::process::id()));
        let file = File::create(&temp)?;
        register_temp(&temp);
        forget_cached(&target);
        Ok(AtomicFile {
            target,
            temp: Some(temp),
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
            written: 0,
            step_from: 0,
            synced_to: 0,
        })
    }

    /// Syncs the temporary file once enough has been written since the last sync.
    fn sync_now_and_then(&mut self, wrote: usize) -> io::Result<()> {
        self.written += wrote as u64;
        if self.temp.is_some() && self.written - self.step_from >= SYNC_EVERY as u64 {
            let w = self.writer.as_mut().expect("open");
            w.flush()?;
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                let fd = w.get_ref().as_raw_fd();
                let range = |from: u64, to: u64, flags| {
                    // SAFETY: a plain system call on an open descriptor, over bytes written.
                    let r = unsafe {
                        libc::sync_file_range(
                            fd,
                            from as libc::off64_t,
                            (to - from) as libc::off64_t,
                            flags,
                        )
                    };
                    if r == 0 {
                        Ok(())
                    } else {
                        Err(io::Error::last_os_error())
                    }
                };
                // The new bytes start on their way to disk without waiting; then the bytes of
                // the last step are waited for, which have had a step's time to get there.
                // So at most two steps are ever in flight, and the sync before the rename
                // has little left to wait for however slow the disk.
                let from = self.step_from;
                range(from, self.written, libc::SYNC_FILE_RANGE_WRITE)?;
                if from > self.synced_to {
                    let all = libc::SYNC_FILE_RANGE_WAIT_BEFORE
                        | libc::SYNC_FILE_RANGE_WRITE
                        | libc::SYNC_FILE_RANGE_WAIT_AFTER;
                    range(self.synced_to, from, all)?;
                }
                self.synced_to = from;
            }
            #[cfg(not(target_os = "linux"))]
            w.get_ref().sync_data()?;
            self.step_from = self.written;
        }
        Ok(())
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, syncs and renames over the target.
    pub fn commit(mut self) -> io::Result<()> {
        let writer = self.writer.take().expect("not yet committed");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        let Some(temp) = self.temp.take() else {
            return Ok(());
        };
        let done = file.sync_all().and_then(|()| {
            drop(file);
            std::fs::rename(&temp, &self.target)
        });
        if done.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        unregister_temp(&temp);
        done
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.writer.as_mut().expect("open").write(buf)?;
        self.sync_now_and_then(n)?;
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.as_mut().expect("open").write_all(buf)?;
        self.sync_now_and_then(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.as_mut().expect("open").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            // Drop the writer first so the file is closed; its buffered bytes are not wanted.
            if let Some(w) = self.writer.take() {
                let (file, _) = w.into_parts();
                drop(file);
            }
            let _ = std::fs::remove_file(&temp);
            unregister_temp(&temp);
        }
    }
}

/// Outputs smaller than this are not worth a thread: their pages go in a blink.
const FORGET_MIN: u64 = 8 << 20;

/// Drops the cached pages of the file about to be replaced, on a thread of its own while the
/// run goes on. The file stays whole on disk (a failed run leaves it as it was); only its copy
/// in memory goes. Else the rename at the end frees them, on the run's critical path: for a
/// 60 MB output about 30 ms, a tenth of a one-thread run.
fn forget_cached(target: &Path) {
    #[cfg(target_os = "linux")]
    if std::fs::metadata(target).is_ok_and(|m| m.is_file() && m.len() >= FORGET_MIN) {
        let target = target.to_path_buf();
        std::thread::spawn(move || {
            use std::os::fd::AsRawFd;
            if let Ok(f) = File::open(&target) {
                // SAFETY: a plain system call on an open descriptor; it only advises the
                // kernel, and a failure changes nothing.
                unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (target, FORGET_MIN);
}

/// Temporary files alive now, so that an interrupted run can remove them.
static TEMPS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn register_temp(p: &Path) {
    if let Ok(mut t) = TEMPS.lock() {
        t.push(p.to_path_buf());
    }
}

fn unregister_temp(p: &Path) {
    if let Ok(mut t) = TEMPS.lock() {
        t.retain(|x| x != p);
    }
}

/// Removes every temporary output file still open (for a run stopped by a signal).
pub fn remove_temps() {
    // The writing thread may still hold the lock's data; a poisoned lock still lists the files.
    let t = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
    for p in t.iter() {
        let _ = std::fs::remove_file(p);
    }
}

/// On SIGINT or SIGTERM: remove the temporary outputs (the targets stay untouched) and exit as
/// a shell expects of a signalled process (130).
pub fn remove_temps_on_signal() {
    let _ = ctrlc::set_handler(|| {
        remove_temps();
        std::process::exit(130);
    });
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    /// `csv_field` against the rule it implements, with each special byte at each position of
    /// fields of every length around the 16-byte steps, appended after existing output.
    #[test]
    fn csv_field_quotes_exactly_when_needed() {
        let reference = |s: &str| {
            let needs = s.bytes().any(|c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
                || s.starts_with(' ')
                || s.ends_with(' ');
            if needs {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        for len in 0..40 {
            let plain: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
            let mut cases = vec![plain.clone()];
            for at in 0..len {
                for c in [',', '"', '\n', '\r', ' ', 'é'] {
                    let mut s = plain.clone();
                    s.replace_range(at..at + 1, &c.to_string());
                    cases.push(s);
                }
            }
            for s in cases {
                let mut out = b"x,".to_vec();
                csv_field(&mut out, &s);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    format!("x,{}", reference(&s))
                );
            }
        }
    }
}
