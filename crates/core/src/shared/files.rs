//! Uploaded files kept under the data directory (`files_dir`): a document or photo checked by
//! its first bytes (PDF, JPEG, PNG, WebP) and its size, written before the row that names it
//! commits (the caller removes it when that row fails), and read back.

use std::path::{Path, PathBuf};

use crate::shared::error::{CommonCode, CoreError, CoreResult, ErrorCode, FieldError};

pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The file's `(content type, extension)`: empty is `required`, over 10 MB `file_too_large`,
/// another type the module's `not_a_document`.
pub fn checked(
    field: &str,
    bytes: &[u8],
    not_a_document: impl ErrorCode,
) -> CoreResult<(&'static str, &'static str)> {
    if bytes.is_empty() {
        return Err(CoreError::invalid(field, CommonCode::Required));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(CoreError::Invalid(vec![
            FieldError::new(field, CommonCode::FileTooLarge).with("max", "10 MB"),
        ]));
    }
    crate::community::announcements::sniff_attachment(bytes)
        .ok_or_else(|| CoreError::invalid(field, not_a_document))
}

/// Writes the file, making its directory.
pub async fn write(path: PathBuf, bytes: Vec<u8>) -> CoreResult<()> {
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(&path, bytes)
    })
    .await
    .map_err(CoreError::internal)?
    .map_err(CoreError::internal)
}

/// Reads a stored file; one gone from the disk is not found.
pub async fn read(path: PathBuf) -> CoreResult<Vec<u8>> {
    tokio::fs::read(&path)
        .await
        .map_err(|_| CoreError::NotFound("file"))
}

/// Writes the file, then runs `record` (the transaction whose row names it); a failed record
/// removes the file again, so no file is left that no row names.
pub async fn write_then<T>(
    path: PathBuf,
    bytes: Vec<u8>,
    record: impl std::future::Future<Output = CoreResult<T>>,
) -> CoreResult<T> {
    write(path.clone(), bytes).await?;
    let saved = record.await;
    if saved.is_err() {
        let _ = tokio::fs::remove_file(&path).await;
    }
    saved
}
