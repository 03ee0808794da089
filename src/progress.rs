//! How far an index build has gone, for a progress bar, and when a guess at
//! the time left is worth showing.
//!
//! Progress is measured in bytes read, not files: corpus files differ in
//! size by a thousand times, so a count of files says little about the
//! work left. And no guess is shown until there is a basis for one: the
//! first files finish before the writer's threads are busy, and an estimate
//! made then once said 20 minutes for a 37-second build (issue 11, item 8).

use std::time::Duration;

/// How far a build has gone: files and bytes read so far, of those it has
/// to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Files read so far.
    pub files_done: usize,
    /// Files to read in all.
    pub files_total: usize,
    /// Bytes read so far (the sizes of the files read, as the corpus walk
    /// found them).
    pub bytes_done: u64,
    /// Bytes to read in all.
    pub bytes_total: u64,
}

/// A build reading fewer bytes and fewer files than these is over in a
/// second or two: no bar (it would only flicker).
const BAR_MIN_BYTES: u64 = 4 << 20;
const BAR_MIN_FILES: usize = 200;

/// No estimate before this much time has gone by...
const ETA_MIN_ELAPSED: Duration = Duration::from_secs(3);
/// ...and this share of the bytes has been read: before both, the rate
/// measured is mostly start-up.
const ETA_MIN_FRACTION: f64 = 0.02;

impl Progress {
    /// The share of the bytes read, from 0 to 1 (1 when there is nothing to
    /// read).
    pub fn fraction(&self) -> f64 {
        if self.bytes_total == 0 {
            return 1.0;
        }
        (self.bytes_done as f64 / self.bytes_total as f64).min(1.0)
    }

    /// Whether the build is big enough for a progress bar.
    pub fn worth_a_bar(&self) -> bool {
        self.bytes_total >= BAR_MIN_BYTES || self.files_total >= BAR_MIN_FILES
    }

    /// The time left, guessed from the rate so far, or `None` while there is
    /// no basis for a guess (too early, or too little read) and once every
    /// byte is read (what remains, the commit, is not measured in bytes).
    pub fn eta(&self, elapsed: Duration) -> Option<Duration> {
        let f = self.fraction();
        if elapsed < ETA_MIN_ELAPSED || !(ETA_MIN_FRACTION..1.0).contains(&f) {
            return None;
        }
        Some(elapsed.mul_f64((1.0 - f) / f))
    }
}

/// What a progress bar says after the bytes: a rounded time left, or why
/// there is none yet.
pub fn time_left(progress: &Progress, elapsed: Duration) -> String {
    if progress.fraction() >= 1.0 {
        return "finishing".to_string();
    }
    match progress.eta(elapsed) {
        None => "estimating time left".to_string(),
        Some(d) => {
            let secs = d.as_secs_f64().round() as u64;
            if secs < 60 {
                format!("about {}s left", secs.max(1))
            } else {
                format!("about {} min left", (secs + 30) / 60)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(bytes_done: u64, bytes_total: u64) -> Progress {
        Progress {
            files_done: 0,
            files_total: 1000,
            bytes_done,
            bytes_total,
        }
    }

    #[test]
    fn no_estimate_without_a_basis() {
        let secs = Duration::from_secs;
        // The case of the issue: a little read at once says nothing.
        assert_eq!(at(1, 1000).eta(Duration::from_millis(500)), None);
        // Plenty read, but too soon.
        assert_eq!(at(500, 1000).eta(secs(2)), None);
        // Long enough, but too little read.
        assert_eq!(at(10, 1000).eta(secs(30)), None);
        // Everything read: the rest is the commit, not bytes.
        assert_eq!(at(1000, 1000).eta(secs(30)), None);
    }

    #[test]
    fn estimate_follows_the_byte_rate() {
        // A quarter in 10 s: three quarters left take 30 s.
        assert_eq!(
            at(250, 1000).eta(Duration::from_secs(10)),
            Some(Duration::from_secs(30))
        );
        // A 37-second build, 5 s in, a seventh read: about 30 s left, not
        // 20 minutes.
        let eta = at(135, 1000).eta(Duration::from_secs(5)).unwrap();
        assert!((30..34).contains(&eta.as_secs()), "{eta:?}");
    }

    #[test]
    fn time_left_words() {
        let secs = Duration::from_secs;
        assert_eq!(time_left(&at(1, 1000), secs(1)), "estimating time left");
        assert_eq!(time_left(&at(500, 1000), secs(20)), "about 20s left");
        assert_eq!(time_left(&at(100, 1000), secs(20)), "about 3 min left");
        assert_eq!(time_left(&at(1000, 1000), secs(20)), "finishing");
        assert_eq!(time_left(&at(0, 0), secs(0)), "finishing");
    }

    #[test]
    fn bar_only_for_big_builds() {
        let small = Progress {
            files_total: 10,
            bytes_total: 1 << 20,
            ..Progress::default()
        };
        assert!(!small.worth_a_bar());
        assert!(Progress {
            bytes_total: 64 << 20,
            ..small
        }
        .worth_a_bar());
        assert!(Progress {
            files_total: 5000,
            ..small
        }
        .worth_a_bar());
    }
}
