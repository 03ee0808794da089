//! Headless Chromium driven over the DevTools protocol, through the pipe
//! Chromium opens with `--remote-debugging-pipe` (fd 3 in, fd 4 out, each
//! message a JSON object ended by a NUL): a page is typed into, clicked
//! and pasted into as a person would, with no WebDriver and nothing
//! downloaded. Debian's `chromium` package (`.ci/run` installs it).

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub struct Browser {
    child: Child,
    to: File,
    from: BufReader<File>,
    next: u64,
    session: Option<String>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pipe() -> (File, File) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: both are new descriptors owned by nothing else.
    unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) }
}

impl Browser {
    pub fn start() -> Browser {
        use std::os::fd::AsRawFd;
        let chromium = std::env::var("PASSAGE_CHROMIUM").unwrap_or_else(|_| "chromium".into());
        let profile = tempfile::tempdir().unwrap();
        let (commands_in, commands) = pipe();
        let (answers, answers_out) = pipe();
        let (a, b) = (commands_in.as_raw_fd(), answers_out.as_raw_fd());
        let mut cmd = std::process::Command::new(&chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-pipe",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: dup2 is async-signal-safe; the new descriptors 3 and 4
        // lose close-on-exec, so Chromium inherits them.
        unsafe {
            cmd.pre_exec(move || {
                // Moved out of the way first: either may be 3 or 4.
                let (a, b) = (
                    libc::fcntl(a, libc::F_DUPFD, 10),
                    libc::fcntl(b, libc::F_DUPFD, 10),
                );
                if a < 0 || b < 0 || libc::dup2(a, 3) < 0 || libc::dup2(b, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!("{chromium}: {e} (apt-get install chromium, as .ci/run does)")
        });
        drop((commands_in, answers_out));
        Browser {
            child,
            to: commands,
            from: BufReader::new(answers),
            next: 0,
            session: None,
            _profile: profile,
        }
    }

    /// Calls a DevTools method and waits for its result (events on the
    /// way are skipped).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(s) = &self.session {
            message["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        loop {
            let mut raw = Vec::new();
            let n = self.from.read_until(0, &mut raw).unwrap();
            assert!(n > 0, "chromium closed its pipe during {method}");
            raw.pop();
            let answer: Value = serde_json::from_slice(&raw).unwrap();
            if answer["id"] == json!(id) {
                if let Some(e) = answer.get("error") {
                    panic!("{method}: {e}");
                }
                return answer["result"].clone();
            }
        }
    }

    /// Opens `url` in a new tab, which later calls talk to, with the
    /// clipboard allowed to it.
    pub fn open(&mut self, url: &str) {
        let origin = url.split('/').take(3).collect::<Vec<_>>().join("/");
        self.call(
            "Browser.grantPermissions",
            json!({"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}),
        );
        let target = self.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_string());
        // A headless tab has no window to be focused in: the clipboard
        // asks for focus.
        self.call(
            "Emulation.setFocusEmulationEnabled",
            json!({"enabled": true}),
        );
        self.call("Page.navigate", json!({"url": url}));
    }

    /// Evaluates `js` in the page (awaiting a promise) and gives its value.
    pub fn eval(&mut self, js: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": js, "returnByValue": true, "awaitPromise": true, "userGesture": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{js}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Waits (10 s at most) until `js` gives something other than null,
    /// false or "", and gives it.
    pub fn wait_for(&mut self, js: &str) -> Value {
        let started = Instant::now();
        loop {
            let v = self.call(
                "Runtime.evaluate",
                json!({"expression": js, "returnByValue": true}),
            )["result"]["value"]
                .clone();
            if !(v.is_null() || v == json!(false) || v == json!("")) {
                return v;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "waited 10 s for {js}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the middle of the element `selector` finds, with the mouse.
    pub fn click(&mut self, selector: &str) {
        let js = format!(
            "(() => {{ const e = document.querySelector({selector:?}); e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        );
        let at = self.eval(&js);
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": at[0], "y": at[1], "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Types `text` into the focused element, key by key.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let s = c.to_string();
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": "keyDown", "text": s, "key": s, "unmodifiedText": s}),
            );
            self.call("Input.dispatchKeyEvent", json!({"type": "keyUp", "key": s}));
        }
    }

    /// Presses a key that types nothing (`ArrowDown`, with its code).
    pub fn press(&mut self, key: &str, code: u32) {
        for kind in ["rawKeyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code}),
            );
        }
    }

    /// Ctrl+V into the focused element: what the clipboard holds is pasted
    /// as a person's paste is.
    pub fn paste(&mut self) {
        self.call(
            "Input.dispatchKeyEvent",
            json!({"type": "rawKeyDown", "key": "v", "code": "KeyV", "windowsVirtualKeyCode": 86, "modifiers": 2, "commands": ["paste"]}),
        );
        self.call(
            "Input.dispatchKeyEvent",
            json!({"type": "keyUp", "key": "v", "code": "KeyV", "windowsVirtualKeyCode": 86, "modifiers": 2}),
        );
    }
}
