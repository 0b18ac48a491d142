//! End-to-end tests of `hog repl` in a pseudo-terminal, the way an analyst uses it: the real
//! binary, the real line editor, the embedded engine and the demo data.
//!
//! The terminal comes from util-linux `script` (in every Debian/Ubuntu base system), which runs
//! the command on a new pty and relays our pipe to it, so keys typed here (Enter, Ctrl-C,
//! Ctrl-D) reach the REPL exactly as from a keyboard, without any unsafe pty code in the tests.
//!
//! One test drives one REPL process over the demo store: first run (demo import), a multi-line
//! query, a meta-command, a syntax error with its underline, Ctrl-C during a slow query, Hog
//! statements, and a second start that must not import again.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

mod common;

use common::{HOG, assert_server_flags_checked, hog};

/// A program running on a pseudo-terminal.
struct Pty {
    child: Child,
    stdin: ChildStdin,
    output: Receiver<Vec<u8>>,
    /// Everything read so far, ANSI sequences removed.
    seen: String,
    /// How much of `seen` earlier `expect`s consumed.
    mark: usize,
}

impl Pty {
    fn spawn(args: &[&str], env: &[(&str, &Path)]) -> Pty {
        let mut command_line = format!("exec {}", quote(HOG));
        for a in args {
            command_line.push(' ');
            command_line.push_str(&quote(a));
        }
        let mut command = Command::new("script");
        command
            .args(["-q", "-e", "-c", &command_line, "/dev/null"])
            .env("NO_COLOR", "1")
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command
            .spawn()
            .expect("util-linux `script` runs (it provides the pseudo-terminal)");
        let stdin = child.stdin.take().expect("stdin is piped");
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Pty {
            child,
            stdin,
            output: rx,
            seen: String::new(),
            mark: 0,
        }
    }

    fn send(&mut self, text: &str) {
        self.stdin
            .write_all(text.as_bytes())
            .expect("write to the terminal");
        self.stdin.flush().expect("flush the terminal");
    }

    /// Waits until `needle` appears after the previous match; returns the text up to and
    /// including it.
    fn expect(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(at) = self.seen[self.mark..].find(needle) {
                let end = self.mark + at + needle.len();
                let text = self.seen[self.mark..end].to_string();
                self.mark = end;
                return text;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "timed out after {timeout:?} waiting for {needle:?}; the terminal showed since the last match:\n{}",
                    &self.seen[self.mark..]
                );
            }
            if let Ok(chunk) = self
                .output
                .recv_timeout(left.min(Duration::from_millis(100)))
            {
                self.seen
                    .push_str(&strip_ansi(&String::from_utf8_lossy(&chunk)));
            }
        }
    }

    /// Waits for the process to end, killing it after `timeout`.
    fn wait(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        None
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for d in chars.by_ref() {
                        if d.is_ascii_alphabetic() || d == '~' {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

const SLOW: Duration = Duration::from_secs(120);
const QUICK: Duration = Duration::from_secs(30);

/// The README's first command (`hog repl --demo`) on a machine where the demo store does not
/// exist yet, driven through a whole session.
#[test]
fn demo_repl_session_in_a_terminal() {
    let data = tempfile::tempdir().expect("temporary directory");
    let history = data.path().join("history");
    let env = [("XDG_DATA_HOME", data.path())];
    let history_arg = history.to_string_lossy().into_owned();
    let mut pty = Pty::spawn(&["repl", "--demo", "--history", &history_arg], &env);

    // First run: the demo data is imported, then the prompt shows team and time zone.
    pty.expect("first run: importing", SLOW);
    pty.expect("team 1 · UTC> ", SLOW);

    // A multi-line query: Enter inside it continues the entry, `;` ends it.
    pty.send("select event, count() as n\r");
    pty.send("from events\r");
    pty.send("group by event order by event;\r");
    let table = pty.expect("rows in", QUICK);
    assert!(table.contains("│ event"), "{table}");
    assert!(table.contains("│ $pageview"), "{table}");
    assert!(table.contains("│ purchase"), "{table}");
    assert!(table.contains("└"), "{table}");

    // A meta-command.
    pty.expect("> ", QUICK);
    pty.send("\\d events\r");
    let fields = pty.expect("└", QUICK);
    assert!(fields.contains("│ timestamp"), "{fields}");
    assert!(fields.contains("DateTime"), "{fields}");

    // A syntax error, underlined under the offending token. (`select event, from events` is
    // valid: PostHog allows a trailing comma before FROM.)
    pty.expect("> ", QUICK);
    pty.send("select event, where from events;\r");
    let error = pty.expect("╯", QUICK);
    assert!(error.contains("Error"), "{error}");
    assert!(error.contains("input:1:15"), "{error}");
    let underline = error
        .lines()
        .find(|l| l.contains('┬'))
        .unwrap_or_else(|| panic!("no underline in:\n{error}"));
    let source_line = error
        .lines()
        .find(|l| l.contains("│ select event, where from events"))
        .unwrap_or_else(|| panic!("no source line in:\n{error}"));
    // The underline starts under the `w` of `where`.
    assert_eq!(
        underline.chars().position(|c| c == '─'),
        source_line
            .find("where")
            .map(|i| source_line[..i].chars().count()),
        "{error}"
    );

    // The default LIMIT is announced under a cut result.
    pty.send("select t.number from numbers(1000) as t;\r");
    let cut = pty.expect("default LIMIT", QUICK);
    assert!(cut.contains("100 rows"), "{cut}");

    // Ctrl-C during a slow query cancels it and keeps the REPL.
    pty.expect("> ", QUICK);
    pty.send("select sum(cityHash64(t.number)) from numbers(100000000000) as t;\r");
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    pty.send("\x03");
    // The REPL waits for the engine to confirm: KILL QUERY really stops the embedded engine.
    pty.expect("query cancelled (the engine stopped it", QUICK);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cancel took {:?}",
        started.elapsed()
    );
    pty.expect("> ", QUICK);
    pty.send("select 41 + 1 as answer;\r");
    let answer = pty.expect("1 row", QUICK);
    assert!(answer.contains("42"), "{answer}");

    // Hog statements keep their variables between entries. (Each entry prints something, so
    // the next one is typed only once the REPL is back at its prompt.)
    pty.expect("> ", QUICK);
    pty.send("let x := 20\rprint('set')\r\r");
    pty.expect("\nset\n", QUICK);
    pty.send("fun twice(a) { return a * 2 }\rprint('defined')\r\r");
    pty.expect("\ndefined\n", QUICK);
    pty.send("print(twice(x) + 2)\r\r");
    pty.expect("\n42\n", QUICK);

    // Ctrl-D leaves.
    pty.expect("> ", QUICK);
    pty.send("\x04");
    assert_eq!(pty.wait(QUICK), Some(0), "hog exits cleanly on Ctrl-D");
    let saved = std::fs::read_to_string(&history).expect("the history file was written");
    assert!(saved.contains("select 41 + 1 as answer;"), "{saved}");

    // The second start finds the demo data and does not import again.
    let mut again = Pty::spawn(&["repl", "--demo", "--history", &history_arg], &env);
    let banner = again.expect("team 1 · UTC> ", SLOW);
    assert!(!banner.contains("importing"), "{banner}");
    again.send("select count() from events;\r");
    let count = again.expect("1 row", QUICK);
    assert!(count.contains("20000"), "{count}");
    again.send("\\q\r");
    assert_eq!(again.wait(QUICK), Some(0));
}

/// Entries piped into `hog` (no terminal) follow the same rules, so scripts can drive it.
#[test]
fn piped_entries_run_in_order() {
    let data = tempfile::tempdir().expect("temporary directory");
    let store = data.path().join("store");
    let out = hog(
        &[
            "repl".as_ref(),
            "--store".as_ref(),
            store.as_os_str(),
            "--format".as_ref(),
            "csv".as_ref(),
        ],
        Some("select 1 as a,\n  'x' as b;\n\\format json\nselect 2 as c\n\nselect nope(;\n"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("a,b\r\n1,x\r\n"), "{stdout}");
    assert!(stdout.contains(r#""columns":["c"]"#), "{stdout}");
    assert!(stderr.contains("Error"), "{stderr}");
}

/// The REPL's translation flags are `hog sql`'s (here a smaller default LIMIT, said under the
/// result), and `--url` to a server that does not answer is a clear error, not a hang.
#[test]
fn translation_flags_and_server_errors() {
    let data = tempfile::tempdir().expect("temporary directory");
    let store = data.path().join("store");
    let mut args: Vec<&std::ffi::OsStr> = ["repl", "--default-limit", "2", "--team-id", "5"]
        .iter()
        .map(|a| a.as_ref())
        .collect();
    args.extend([
        "--format".as_ref(),
        "csv".as_ref(),
        "--store".as_ref(),
        store.as_os_str(),
    ]);
    let out = hog(
        &args,
        Some("\\sql\nselect t.number from numbers(5) as t;\n"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout.matches("\r\n").count(), 3, "{stdout}");
    assert!(stderr.contains("LIMIT 2"), "{stderr}");
    assert!(stderr.contains("default LIMIT"), "{stderr}");

    assert_server_flags_checked(&["repl"]);
}
