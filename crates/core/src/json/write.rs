//! A small JSON writer for the records the widget stores and the report it sends, byte for
//! byte what serde_json's `to_string` writes for the same derived types (field order,
//! escaping, `null` for a `None` that is not skipped): the desk's contract and a resend of
//! the exact stored bytes hold across builds, and records written by older builds (with
//! serde_json) read the same. The wasm is spared serde_json's serialiser and the derived
//! `Serialize` code (README "Performance"). Each type's module has its writer (`ToJson`)
//! and its reader; `json/tests.rs` checks both against serde_json for arbitrary values.

/// A value's JSON, as serde_json's `to_string` writes it.
pub trait ToJson {
    fn to_json(&self) -> String;
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> String {
        array(self.iter().map(ToJson::to_json))
    }
}

/// `value` as a JSON string (`"…"`).
pub fn quoted(value: &str) -> String {
    let mut out = String::new();
    string(&mut out, value);
    out
}

/// Writes one JSON object: `Object::new().str("id", …).end()`.
pub struct Object {
    out: String,
    empty: bool,
}

impl Default for Object {
    fn default() -> Self {
        Object::new()
    }
}

impl Object {
    pub fn new() -> Object {
        Object {
            out: String::from("{"),
            empty: true,
        }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        string(&mut self.out, key);
        self.out.push(':');
        &mut self.out
    }

    /// `key` with a value already written as JSON.
    pub fn raw(mut self, key: &str, json: &str) -> Object {
        self.key(key).push_str(json);
        self
    }

    pub fn str(mut self, key: &str, value: &str) -> Object {
        string(self.key(key), value);
        self
    }

    /// A string, or `null` (serde's `Option` without `skip_serializing_if`).
    pub fn str_or_null(self, key: &str, value: Option<&str>) -> Object {
        match value {
            Some(value) => self.str(key, value),
            None => self.raw(key, "null"),
        }
    }

    /// A string, or nothing (`skip_serializing_if = "Option::is_none"`).
    pub fn str_if_some(self, key: &str, value: Option<&str>) -> Object {
        match value {
            Some(value) => self.str(key, value),
            None => self,
        }
    }

    pub fn bool(self, key: &str, value: bool) -> Object {
        self.raw(key, if value { "true" } else { "false" })
    }

    pub fn uint(mut self, key: &str, value: u64) -> Object {
        uint(self.key(key), value);
        self
    }

    pub fn float(mut self, key: &str, value: f64) -> Object {
        float(self.key(key), value);
        self
    }

    pub fn end(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// A JSON array of values already written as JSON.
pub fn array<I: IntoIterator<Item = String>>(items: I) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

/// `value` as a JSON string, escaped as serde_json does: `"` and `\`, the short forms
/// `\b \f \n \r \t`, every other control character as `\u00xx` (lower-case hex), and
/// nothing else (not `/`, not DEL, not non-ASCII).
pub fn string(out: &mut String, value: &str) {
    out.push('"');
    let mut start = 0;
    for (i, byte) in value.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&value[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&value[start..]);
    out.push('"');
}

/// `value` in decimal (integer formatting only: no float code in the wasm).
pub fn uint(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

/// The times and counts the records keep as `f64` (milliseconds): a whole number below
/// 10^16 is written as serde_json writes it (`1733600000000.0`, `-5.0`); a fraction of a
/// millisecond (a retry's jitter) is rounded to the nearest millisecond, which no rule
/// needs finer; a value that is not finite is `null`, as serde_json writes it. Formatting
/// fractions exactly would bring a float formatter and its tables into the wasm. Beyond
/// 10^16 (300,000 years of milliseconds) a value is clamped there.
pub fn float(out: &mut String, value: f64) {
    if !value.is_finite() {
        out.push_str("null");
        return;
    }
    let whole = value.round();
    if whole.abs() >= 1e16 {
        out.push_str(if whole < 0.0 { "-1e16" } else { "1e16" });
        return;
    }
    if whole.is_sign_negative() {
        out.push('-');
    }
    uint(out, whole.abs() as u64);
    out.push_str(".0");
}
