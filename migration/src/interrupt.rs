//! Ctrl-C and SIGTERM as a flag, for work that must clean up before the process ends (a
//! rehearsal drops its scratch copy): while a [`Guard`] lives, the signals no longer end the
//! process; they set a flag that [`interrupted`] waits for. When the guard goes, the signals
//! end the process again, as they did before.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static CAUGHT: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_signal(_: libc::c_int) {
    // Async-signal-safe: one atomic store.
    CAUGHT.store(true, Ordering::SeqCst);
}

/// Catches SIGINT and SIGTERM while it lives.
pub struct Guard(());

impl Guard {
    pub fn catch() -> Guard {
        CAUGHT.store(false, Ordering::SeqCst);
        #[cfg(unix)]
        // SAFETY: the handler only stores into an atomic.
        unsafe {
            let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
        Guard(())
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: restores the default dispositions.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
        }
    }
}

/// Whether SIGINT or SIGTERM has arrived since the [`Guard`] was made.
pub fn caught() -> bool {
    CAUGHT.load(Ordering::SeqCst)
}

/// Returns once SIGINT or SIGTERM has arrived (never, without a [`Guard`]).
pub async fn interrupted() {
    while !caught() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
