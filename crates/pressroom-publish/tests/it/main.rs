//! The WordPress client against a real WordPress (Debian's package on PHP's built-in server
//! and MariaDB, one fresh site per test) and, for faults, the fake in pressroom-testwp.

mod connection;
mod faults;
mod publishing;
mod seo;
mod support;
