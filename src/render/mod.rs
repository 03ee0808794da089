//! Presenting results: [`text`] for people, [`json`] for scripts. The
//! library finds; only these modules write.

pub mod json;
pub mod text;

/// `18914` as `18,914`: every count meant for a person is written so.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
