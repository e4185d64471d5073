//! The `flowsim` command line. Parsing, progress and error reporting only: every decision
//! lives in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    clean_up_on_interrupt();
    let result = cli::run();
    // Interrupted: what failed did so because its files were removed; the signal's thread
    // ends the process with the signal's status.
    while flowsim::atomic::interrupted() {
        std::thread::park();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", cli::one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// Rust ignores SIGPIPE, so `flowsim … | head` would panic on the closed pipe; a command-line
/// tool should instead end quietly, as the default signal action does.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// SIGINT and SIGTERM remove the partial files and folders being written (`.NAME.partial-PID-N`)
/// and end the process with 128 + the signal's number, as the default action's status reads in
/// a shell. The signals are blocked in every thread (threads inherit the mask, so this runs
/// before any starts) and taken by one thread waiting for them, which can do ordinary work. A
/// panic removes them too (a release build aborts on panic, leaving no other chance).
fn clean_up_on_interrupt() {
    #[cfg(unix)]
    // SAFETY: plain libc signal-mask calls on a zeroed, initialised set, before any thread
    // starts; `sigwait` in the waiting thread only reads the set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        std::thread::spawn(move || {
            let mut sig: libc::c_int = 0;
            if libc::sigwait(&set, &mut sig) == 0 {
                let n = flowsim::atomic::remove_staged(true);
                let name = if sig == libc::SIGINT {
                    "SIGINT"
                } else {
                    "SIGTERM"
                };
                eprintln!(
                    "interrupted ({name}): removed {n} partial output(s); nothing half-written is left"
                );
                libc::_exit(128 + sig);
            }
        });
    }
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        flowsim::atomic::remove_staged(false);
    }));
}
