//! Stairwell posters (宣传): a printable A4 poster per community and building, linked from
//! `/desk/posters`.

pub mod page;
pub mod qr;
