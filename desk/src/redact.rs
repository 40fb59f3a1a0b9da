//! Personal data never reaches the logs whole: phone numbers and names are masked wherever a
//! text that might hold them is logged (error messages from the database, for example).

/// `13912345678` → `139****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// `王阿姨` → `王**`: the first character only.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count())),
        None => String::new(),
    }
}

/// Masks every run of 7 or more digits (phone numbers in any form) in a free text, such as
/// a database error that quotes a row.
pub fn mask_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 7 {
            out.push_str(&mask_phone(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_phone("13912345678"), "139****5678");
        assert_eq!(mask_name("王阿姨"), "王**");
        assert_eq!(mask_name(""), "");
        assert_eq!(
            mask_digits("Key (contact_phone)=(13912345678) already exists; row 42"),
            "Key (contact_phone)=(139****5678) already exists; row 42"
        );
    }
}
