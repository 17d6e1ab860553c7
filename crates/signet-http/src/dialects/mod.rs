//! Vendor dialects: drop-in APIs of other signing services, each translating its requests into
//! core commands.

pub mod esign;
pub mod qiandun;
pub mod wosign;
pub mod yunhetong;
