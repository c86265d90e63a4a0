//! Socket options sqlx does not set on the process's database connections: `TCP_NODELAY`
//! while connecting, so the TLS handshake and start-up do not stall, and TCP keepalive, so a
//! server that vanishes mid-run (host down, network cut) is noticed in about a minute.
//!
//! sqlx 0.9 no longer sets `TCP_NODELAY` (sqlx issue 4335, fixed upstream but not released),
//! and exposes no socket options and no file descriptor. Without it, each write-write-read
//! exchange of the handshake (the TLS client Finished, then the start-up message) waits for the
//! server's delayed ACK: two waits of about 45 ms per connection. A command is a short-lived
//! process whose only TCP sockets are its own database connections, so [`connecting`] drives
//! the connect future itself and, each time it waits, sets `TCP_NODELAY` on any TCP socket of
//! the process that lacks it. The socket is created and its `connect` started inside one poll,
//! and nothing is written to it before a later one (a non-blocking connect always waits for
//! the reactor), so the option is set before the first byte goes out. Unix only; elsewhere
//! these do nothing.

use std::future::Future;
use std::task::Poll;

/// Runs `connect` (a future that opens database connections), setting `TCP_NODELAY` on every
/// new TCP socket of the process before it is written to.
pub async fn connecting<F: Future>(connect: F) -> F::Output {
    let mut connect = std::pin::pin!(connect);
    std::future::poll_fn(|cx| match connect.as_mut().poll(cx) {
        Poll::Pending => {
            no_delay();
            Poll::Pending
        }
        ready => ready,
    })
    .await
}

/// Sets `TCP_NODELAY` on every TCP socket of the process that lacks it; returns how many.
#[cfg(unix)]
pub fn no_delay() -> usize {
    open_fds()
        .into_iter()
        .filter(|&fd| {
            is_tcp(fd)
                && getopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY) == Some(0)
                && setopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1)
        })
        .count()
}

#[cfg(not(unix))]
pub fn no_delay() -> usize {
    0
}

/// Turns keepalive on (idle seconds, seconds between probes, probes) and `TCP_NODELAY` for every
/// TCP socket of the process; returns how many sockets it set.
#[cfg(unix)]
pub fn keep_alive((idle, interval, count): (u32, u32, u32)) -> usize {
    let mut set = 0;
    for fd in open_fds() {
        if !is_tcp(fd) {
            continue;
        }
        let mut ok = setopt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1)
            && setopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            ok =
                ok && setopt(
                    fd,
                    libc::IPPROTO_TCP,
                    libc::TCP_KEEPIDLE,
                    idle as libc::c_int,
                ) && setopt(
                    fd,
                    libc::IPPROTO_TCP,
                    libc::TCP_KEEPINTVL,
                    interval as libc::c_int,
                ) && setopt(
                    fd,
                    libc::IPPROTO_TCP,
                    libc::TCP_KEEPCNT,
                    count as libc::c_int,
                );
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let _ = (idle, interval, count);
        if ok {
            set += 1;
        }
    }
    set
}

#[cfg(not(unix))]
pub fn keep_alive(_: (u32, u32, u32)) -> usize {
    0
}

/// The process's open file descriptors.
#[cfg(unix)]
fn open_fds() -> Vec<libc::c_int> {
    match std::fs::read_dir("/proc/self/fd") {
        Ok(dir) => dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect(),
        // No /proc (macOS, the BSDs): the low descriptors, where a short-lived command's are.
        Err(_) => (0..256).collect(),
    }
}

/// Whether `fd` is a TCP socket (a stream socket of the IPv4 or IPv6 family).
#[cfg(unix)]
fn is_tcp(fd: libc::c_int) -> bool {
    let Some(kind) = getopt(fd, libc::SOL_SOCKET, libc::SO_TYPE) else {
        return false;
    };
    if kind != libc::SOCK_STREAM {
        return false;
    }
    // SAFETY: getsockname writes at most `len` bytes into `addr`, which is large enough for
    // any address family.
    unsafe {
        let mut addr: libc::sockaddr_storage = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        if libc::getsockname(
            fd,
            (&mut addr as *mut libc::sockaddr_storage).cast(),
            &mut len,
        ) != 0
        {
            return false;
        }
        matches!(
            addr.ss_family as libc::c_int,
            libc::AF_INET | libc::AF_INET6
        )
    }
}

#[cfg(unix)]
fn getopt(fd: libc::c_int, level: libc::c_int, name: libc::c_int) -> Option<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` is a c_int and `len` says so; a descriptor that is not a socket fails.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            level,
            name,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    (rc == 0).then_some(value)
}

#[cfg(unix)]
fn setopt(fd: libc::c_int, level: libc::c_int, name: libc::c_int, value: libc::c_int) -> bool {
    // SAFETY: passes a c_int of the size it declares.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        ) == 0
    }
}

/// Whether keepalive is on for some TCP socket of the process (for tests).
#[cfg(unix)]
#[cfg(feature = "testing")]
pub fn keepalive_sockets() -> usize {
    open_fds()
        .into_iter()
        .filter(|&fd| is_tcp(fd) && getopt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE) == Some(1))
        .count()
}
