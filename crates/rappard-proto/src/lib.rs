//! rappard-proto: the wire schema (`proto/rappard/v1/rappard.proto`) as
//! Rust types and tonic services, and the conversions between them and the
//! core's types (`rappard_core`).
//!
//! What crosses the wire is typed where a node acts on it (calls and
//! answers) and canonical where it must be hashed (each record entry travels
//! in its canonical encoding, so the record's SHA-256 is the same whichever
//! transport carried it).

#![allow(missing_docs, clippy::doc_markdown)]

/// The generated code of package `rappard.v1`.
pub mod v1 {
    tonic::include_proto!("rappard.v1");

    /// The encoded file descriptor set, for gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/rappard_descriptor.bin"));
}

pub mod convert;
