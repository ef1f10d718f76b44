//! Every line the command prints goes through here. `println!` panics when the reader of a pipe
//! has gone (`pressroom review list | head -1`); these drop the output instead, and the command
//! ends with the exit code it would have had.

use crate::exit::Exit;
use serde_json::json;
use std::io::Write;

/// Writes `text` and a newline to standard output. A closed pipe, or any other write error,
/// drops the text: there is nobody left to read it, and nowhere better to say so.
pub fn print_line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

/// Writes `text` and a newline to standard error, ignoring a closed stream like [`print_line`].
pub fn note_line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// `eprintln!` that does not panic on a closed standard error.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::output::note_line(&format!($($arg)*))
    };
}
pub(crate) use note;

/// Prints human text or one JSON document; a command calls it once.
pub struct Out {
    pub json: bool,
}

impl Out {
    pub(crate) fn emit(&self, human: impl FnOnce() -> String, value: serde_json::Value) {
        if self.json {
            print_line(&value.to_string());
        } else {
            print_line(&human());
        }
    }
}

/// The `error` member of a document whose command exits non-zero without failing outright
/// (items failed, ids not found); `null` when the exit is 0.
pub(crate) fn outcome_error(exit: Exit, message: impl FnOnce() -> String) -> serde_json::Value {
    match exit {
        Exit::Ok => serde_json::Value::Null,
        Exit::Failures => json!({"code": "finished_with_failures", "message": message()}),
        Exit::NotFound => json!({"code": "not_found", "message": message()}),
        Exit::Error | Exit::Usage => json!({"code": "error", "message": message()}),
    }
}
